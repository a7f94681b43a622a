using FluentValidation;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Application.Sla;
using HelpDesk.Application.Tickets;
using Mediator;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Application;

public static class DependencyInjection
{
    /// <summary>
    /// The mediator pipeline (logging, then validation, then the handler), validators and the application services.
    /// The host registers the DbContext, <c>IClock</c> and <c>ICurrentAgent</c>.
    /// </summary>
    public static IServiceCollection AddHelpDeskApplication(this IServiceCollection services)
    {
        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.PipelineBehaviors = [typeof(LoggingBehavior<,>), typeof(ValidationBehavior<,>)];
        });
        services.AddValidatorsFromAssembly(typeof(DependencyInjection).Assembly, ServiceLifetime.Singleton, includeInternalTypes: true);
        services.AddSingleton<SlaConfigurationCache>();
        services.AddScoped<Caller>();
        services.AddScoped<Credentials>();
        services.AddScoped<SlaScheduler>();
        services.AddScoped<SlaRecomputation>();
        services.AddScoped<TicketChanges>();
        services.AddScoped<TicketEventPublisher>();
        return services;
    }
}
