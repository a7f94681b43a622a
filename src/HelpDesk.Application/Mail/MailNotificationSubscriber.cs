using HelpDesk.Application.Notifications;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Application.Mail;

/// <summary>
/// Mails notifications addressed to an agent (escalation rules) through the outbox, in a unit of work of its own right
/// after the notification was committed. Team-wide notifications stay in the console.
/// </summary>
public sealed class MailNotificationSubscriber(IServiceScopeFactory scopes, OutboxSignal signal) : INotificationSubscriber
{
    public async ValueTask OnCommittedAsync(IReadOnlyList<Notification> notifications, CancellationToken ct)
    {
        var personal = notifications.Where(n => n.AgentId is not null).ToList();
        if (personal.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        var outbox = scope.ServiceProvider.GetRequiredService<MailOutbox>();
        var ids = personal.Select(n => n.AgentId!.Value).Distinct().ToList();
        var emails = await db.Agents.AsNoTracking().Where(a => ids.Contains(a.Id) && a.IsActive).ToDictionaryAsync(a => a.Id, a => a.Email, ct);
        foreach (var n in personal)
            if (emails.TryGetValue(n.AgentId!.Value, out var email))
                await outbox.EnqueueNotificationAsync(email, n.TicketNumber, n.Message, ct);
        await db.SaveChangesAsync(ct);
        signal.Notify();
    }
}

public static class MailServiceCollection
{
    /// <summary>The outbox and signing the application's slices need; MailKit code registers itself in HelpDesk.Mail.</summary>
    public static IServiceCollection AddHelpDeskMailOutbox(this IServiceCollection services)
    {
        services.AddOptions<MailOptions>();
        services.AddSingleton<MailSigning>();
        services.AddScoped<MailOutbox>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<MailboxChanges>();
        services.AddSingleton<StoredMailboxAddresses>();
        services.AddSingleton<Common.ITicketEventSubscriber>(sp => sp.GetRequiredService<OutboxSignal>());
        services.AddSingleton<INotificationSubscriber, MailNotificationSubscriber>();
        return services;
    }
}
