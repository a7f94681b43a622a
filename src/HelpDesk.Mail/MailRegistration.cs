using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Mail.Imap;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Outbound;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HelpDesk.Mail;

public static class MailRegistration
{
    /// <summary>Mail configuration and the inbound pipeline (what the mailgate needs).</summary>
    public static IServiceCollection AddHelpDeskMailIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<MailOptions>(configuration.GetSection(MailOptions.Section));
        services.PostConfigure<MailOptions>(o => o.PublicBaseUrl ??= configuration["HelpDesk:PublicBaseUrl"]);
        services.AddScoped<MailIngestor>();
        services.AddScoped<QuarantineTriage>();
        services.AddScoped<RawMailStore>();
        services.AddScoped<MailPreparation>();
        services.AddScoped<Inbound.Commands.ApplyInboundMail>();
        services.AddScoped<Inbound.Commands.CreateTicketFromMail>();
        services.AddScoped<Inbound.Commands.AppendMailToTicket>();
        services.AddScoped<Inbound.Commands.RecordDeliveryReport>();
        services.AddScoped<Inbound.Commands.MailRecords>();
        return services;
    }

    /// <summary>Everything, with the background services: signing key on first start, IMAP fetchers, the SMTP outbox sender.</summary>
    public static IServiceCollection AddHelpDeskMail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddHelpDeskMailIngestion(configuration);
        services.AddSingleton<MailgateCombiner>();
        services.AddDataProtection();
        services.AddSingleton<Mailboxes.MailboxSecrets>();
        services.AddSingleton<Mailboxes.MailboxDirectory>();
        services.AddScoped<Mailboxes.MailboxAdmin>();
        services.AddScoped<OutboxAdmin>();
        services.AddHostedService<SigningKeyOnFirstStart>();
        services.AddSingleton<OutboxSender>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxSender>());
        services.AddHostedService<ImapIngestionService>();
        return services;
    }
}

/// <summary>Generates and stores the Message-ID signing key on first start when the configuration has none (never logged).</summary>
internal sealed class SigningKeyOnFirstStart(IServiceScopeFactory scopes, MailSigning signing) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        await signing.KeyAsync(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>(), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
