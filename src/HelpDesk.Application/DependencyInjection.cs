using FluentValidation;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Application.Escalation;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Notifications;
using HelpDesk.Application.Sla;
using HelpDesk.Application.Sla.DueQueue;
using HelpDesk.Application.Surveys;
using HelpDesk.Application.Tickets;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Application;

/// <summary>
/// The mediator pipeline (logging, then validation, then the handler), validators and the application's services. The host registers <see cref="Persistence.HelpDeskDbContext"/> (scoped),
/// <see cref="NodaTime.IClock"/>, <see cref="ICurrentAgent"/> and logging.
/// </summary>
public static class DependencyInjection
{
    public static IServiceCollection AddHelpDeskApplication(this IServiceCollection services)
    {
        services.AddMediator(options =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.PipelineBehaviors = [typeof(LoggingBehavior<,>), typeof(AuthorizationBehavior<,>), typeof(ValidationBehavior<,>)];
        });
        services.AddValidatorsFromAssembly(typeof(DependencyInjection).Assembly, includeInternalTypes: true);

        services.AddScoped<Caller>();
        services.AddScoped<Tickets.GetQueue.QueueFilters>();
        services.AddScoped<IdempotentWrite>();
        services.AddScoped<TicketChanges>();
        services.AddScoped<Tickets.AddReply.TicketReplies>();
        services.AddScoped<TicketCreation>();
        services.AddScoped<TicketEventPublisher>();
        services.AddSingleton<SlaConfigurationCache>();
        services.AddScoped<SlaScheduler>();
        services.AddScoped<Reporting.Projection.ReportProjector>();
        services.AddScoped<AgentConsole.ConsoleEventRetention>();
        services.AddScoped<Reporting.Projection.ReportRebuild>();
        services.AddScoped<Search.SearchRebuild>();
        services.AddOptions<Search.SearchOptions>();
        services.AddScoped<SlaRecomputation>();
        services.AddScoped<IDerivedSlaWrites, DerivedSlaWrites>();
        services.AddScoped<Credentials>();
        services.AddScoped<Auth.SignInGuard>();
        services.AddScoped<Auth.AuthRetention>();
        services.AddScoped<Auth.Sessions>();
        services.AddScoped<Reporting.ReportScope>();
        services.AddMetrics();
        services.AddSingleton<Telemetry.HelpDeskTelemetry>();
        services.AddScoped<Telemetry.PendingCycleStops>();

        services.AddSingleton<EscalationRuleCache>();
        services.AddScoped<EscalationTimers>();
        services.AddScoped<EscalationActions>();
        services.AddScoped<TicketNotifier>();
        services.AddScoped<NotificationPublisher>();

        services.AddSingleton<DueQueueSignal>();
        services.AddSingleton<ITicketEventSubscriber, DueQueueWakeup>();
        services.AddSingleton<SlaDueQueue>();
        services.AddScoped<DueTicketProcessor>();

        services.AddSingleton(LeaseHolder.ForThisProcess());
        services.AddScoped<LeaseManager>();
        services.AddOptions<LeaseOptions>();
        services.AddHelpDeskMailOutbox();
        services.AddOptions<SurveyOptions>();
        services.AddSingleton<SurveyTokens>();
        services.AddScoped<SurveyOnSolve>();
        services.AddScoped<SurveyLinks>();
        services.AddScoped<SurveySettings>();
        return services;
    }

    /// <summary>Runs the SLA due-queue in this process (the web host; not the CLI). Needs <see cref="AddHelpDeskApplication"/>.</summary>
    public static IServiceCollection AddSlaDueQueueService(this IServiceCollection services) =>
        services.AddHostedService<SlaDueQueueService>();
}
