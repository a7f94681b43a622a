using HelpDesk.Application.Escalation;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Sla;

/// <summary>
/// Keeps a ticket's derived SLA columns right after every change: re-selects the policy, evaluates the engine, and stores
/// the nearest due instant (queue order) and the next alert instant (what the due-queue waits for: an SLA warning or
/// breach, or an escalation timer such as unassigned-for).
/// Called by every handler that changes a ticket, before its single SaveChanges.
/// </summary>
public sealed class SlaScheduler(HelpDeskDbContext db, SlaConfigurationCache cache, EscalationTimers timers)
{
    public async Task<SlaReport> RefreshAsync(Ticket ticket, Instant now, CancellationToken ct)
    {
        var configuration = await cache.GetAsync(db, ct);
        await SelectPolicyAsync(ticket, configuration, now, ct);
        var fired = await FiredAlertsAsync(db, ticket.Id, ct);
        var report = TicketSla.Evaluate(ticket, configuration, now);
        Schedule(ticket, report, fired, await timers.NextDueAsync(ticket, configuration, now, ct));
        return report;
    }

    /// <summary>
    /// The (metric, cycle, percent) of the alerts that have fired for a ticket, including those the due-queue is adding
    /// in this unit of work and has not saved yet.
    /// </summary>
    public static async Task<HashSet<(SlaMetric, int, int)>> FiredAlertsAsync(HelpDeskDbContext db, Guid ticketId, CancellationToken ct)
    {
        var stored = await db.SlaAlerts.Where(a => a.TicketId == ticketId).Select(a => new { a.Metric, a.Cycle, a.Percent }).ToListAsync(ct);
        var keys = stored.Select(a => (a.Metric, a.Cycle, a.Percent)).ToHashSet();
        keys.UnionWith(db.SlaAlerts.Local.Where(a => a.TicketId == ticketId).Select(a => (a.Metric, a.Cycle, a.Percent)));
        return keys;
    }

    /// <summary>
    /// Stores the derived SLA columns from a report, skipping alerts that have already fired; <paramref name="timerDue"/>
    /// is the next escalation timer, which the due-queue also waits for.
    /// </summary>
    public static void Schedule(Ticket ticket, SlaReport report, IReadOnlySet<(SlaMetric, int, int)> fired, Instant? timerDue = null)
    {
        var next = SlaAlertPoint.Of(report)
            .Where(p => !fired.Contains((p.Metric, p.Cycle, p.Percent)))
            .Select(p => (Instant?)p.At)
            .Append(timerDue)
            .Min();
        ticket.ScheduleSla(SlaAlertPoint.NearestDue(report), ticket.IsClosed ? null : next);
    }

    /// <summary>What a ticket looks like to policy selection and escalation filters.</summary>
    public static async Task<TicketFacts> FactsAsync(HelpDeskDbContext db, Ticket ticket, CancellationToken ct)
    {
        var team = db.Teams.Local.FirstOrDefault(t => t.Id == ticket.TeamId)
            ?? await db.Teams.AsNoTracking().FirstOrDefaultAsync(t => t.Id == ticket.TeamId, ct);
        var organisation = db.Customers.Local.FirstOrDefault(c => c.Id == ticket.RequesterId)?.Organisation
            ?? await db.Customers.Where(c => c.Id == ticket.RequesterId).Select(c => c.Organisation).FirstOrDefaultAsync(ct);
        return new TicketFacts(ticket.Priority, team?.Name ?? "", ticket.Channel, ticket.Tags, organisation);
    }

    /// <summary>
    /// Policies are chosen by what the ticket looks like now. Once a ticket has a policy it keeps one: when nothing
    /// matches any more the last one stays (a lead would not expect running clocks to vanish).
    /// </summary>
    private async Task SelectPolicyAsync(Ticket ticket, SlaConfiguration configuration, Instant now, CancellationToken ct)
    {
        if (ticket.IsSolvedOrClosed && ticket.SlaPolicyName is not null) return;
        var selected = configuration.Select(await FactsAsync(db, ticket, ct), now);
        if (selected is not null) ticket.ApplySlaPolicy(selected.Name, now);
    }
}
