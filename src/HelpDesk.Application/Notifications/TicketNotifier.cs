using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Escalation;
using HelpDesk.Domain.Notifications;
using HelpDesk.Domain.Tickets;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Notifications;

/// <summary>Notification kinds the console and e-mail understand.</summary>
public static class NotificationKinds
{
    public const string SlaWarning = "sla.warning";
    public const string SlaBreached = "sla.breached";
    public const string Escalation = "escalation";
}

/// <summary>
/// Records notifications about a ticket in the caller's unit of work (saved with it). Every notification carries the
/// ticket's team; one addressed to a person also carries the agent.
/// </summary>
public sealed class TicketNotifier(HelpDeskDbContext db)
{
    /// <summary>
    /// Notifies <paramref name="target"/>: the assignee (the team while there is none), a named agent, the team's leads
    /// (the team when it has none) or the team. An unknown or inactive named agent falls back to the team.
    /// </summary>
    public async Task<IReadOnlyList<Notification>> NotifyAsync(Ticket ticket, NotifyTarget target, string? agentEmail, string kind,
        string message, Instant now, CancellationToken ct)
    {
        var agents = target switch
        {
            NotifyTarget.Assignee when ticket.AssigneeId is { } id => [id],
            NotifyTarget.Agent when agentEmail is not null => await db.Agents
                .Where(a => a.Email == EmailAddress.Normalise(agentEmail) && a.IsActive).Select(a => a.Id).ToListAsync(ct),
            NotifyTarget.Lead => (await db.Agents.Where(a => a.Role == AgentRole.Lead && a.IsActive).ToListAsync(ct))
                .Where(a => a.IsMemberOf(ticket.TeamId)).Select(a => a.Id).ToList(),
            _ => new List<Guid>(),
        };
        var created = agents.Count == 0
            ? [New(null)]
            : agents.Select(id => New(id)).ToList();
        db.Notifications.AddRange(created);
        return created;

        Notification New(Guid? agentId) =>
            new(Guid.CreateVersion7(), kind, agentId, ticket.TeamId, ticket.Id, ticket.Number, message, now);
    }
}

/// <summary>Receives notifications after they are committed (console pushes, e-mail).</summary>
public interface INotificationSubscriber
{
    ValueTask OnCommittedAsync(IReadOnlyList<Notification> notifications, CancellationToken ct);
}

/// <summary>Hands committed notifications to every subscriber; a failing subscriber is logged and never fails the caller.</summary>
public sealed class NotificationPublisher(IEnumerable<INotificationSubscriber> subscribers, ILogger<NotificationPublisher> logger)
{
    public async Task PublishAsync(IReadOnlyList<Notification> notifications, CancellationToken ct)
    {
        if (notifications.Count == 0) return;
        foreach (var subscriber in subscribers)
        {
            try
            {
                await subscriber.OnCommittedAsync(notifications, ct);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Notification subscriber {Subscriber} failed", subscriber.GetType().Name);
            }
        }
    }
}
