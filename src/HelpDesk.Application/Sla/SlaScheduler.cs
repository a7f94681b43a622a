using HelpDesk.Application.Escalation;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Reporting.Projection;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Sla;

/// <summary>
/// Keeps a ticket's derived SLA columns right after every change: re-selects the policy, evaluates the engine, and stores
/// the nearest due instant (queue order) and the next alert instant (what the due-queue waits for: an SLA warning or
/// breach, or an escalation timer such as unassigned-for), and projects the ticket's reporting rows.
/// Called by every handler that changes a ticket, before its single SaveChanges.
/// </summary>
public sealed class SlaScheduler(HelpDeskDbContext db, SlaConfigurationCache cache, EscalationTimers timers, ReportProjector reports)
{
    public async Task<SlaReport> RefreshAsync(Ticket ticket, Instant now, CancellationToken ct)
    {
        var configuration = await cache.GetAsync(db, ct);
        var facts = await FactsAsync(db, ticket, ct);
        // A ticket opened in this unit of work has fired no alert yet.
        IReadOnlySet<(SlaMetric, int, int)> fired = db.Entry(ticket).State == EntityState.Added ? new HashSet<(SlaMetric, int, int)>() : await FiredAlertsAsync(db, ticket.Id, ct);
        return await RecomputeAsync(ticket, configuration, facts, fired, now, ct);
    }

    /// <summary>
    /// Re-selects the policy and stores the derived SLA columns, for callers that loaded facts and fired alerts in bulk.
    /// Policies are chosen by what the ticket looks like now; once a ticket has a policy it keeps one (when nothing
    /// matches any more the last one stays: a lead would not expect running clocks to vanish), and a solved or closed
    /// ticket is not moved to another policy.
    /// </summary>
    public async Task<SlaReport> RecomputeAsync(Ticket ticket, SlaConfiguration configuration, TicketFacts facts,
        IReadOnlySet<(SlaMetric, int, int)> fired, Instant now, CancellationToken ct)
    {
        ReselectPolicy(ticket, configuration, facts, now);
        var report = TicketSla.Evaluate(ticket, configuration, now);
        Schedule(ticket, report, fired, await timers.NextDueAsync(ticket, configuration, now, ct));
        await reports.ProjectAsync(ticket, report, ct);
        return report;
    }

    /// <summary>The policy half of <see cref="RecomputeAsync"/>: may append a SlaPolicyApplied history entry (a new version).</summary>
    public static void ReselectPolicy(Ticket ticket, SlaConfiguration configuration, TicketFacts facts, Instant now)
    {
        if (!(ticket.IsSolvedOrClosed && ticket.SlaPolicyName is not null)
            && configuration.Select(facts, now) is { } selected)
            ticket.ApplySlaPolicy(selected.Name, now);
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
        var next = report.AlertPoints()
            .Where(p => !fired.Contains((p.Metric, p.Cycle, p.Percent)))
            .Select(p => (Instant?)p.At)
            .Append(timerDue)
            .Min();
        ticket.ScheduleSla(report.NearestDueAt(), ticket.IsClosed ? null : next);
    }

    /// <summary>What a ticket looks like to policy selection and escalation filters.</summary>
    public static async Task<TicketFacts> FactsAsync(HelpDeskDbContext db, Ticket ticket, CancellationToken ct)
    {
        var team = db.Teams.Local.FirstOrDefault(t => t.Id == ticket.TeamId)?.Name
            ?? await db.Teams.Where(t => t.Id == ticket.TeamId).Select(t => t.Name).FirstOrDefaultAsync(ct);
        var organisation = db.Customers.Local.FirstOrDefault(c => c.Id == ticket.RequesterId)?.Organisation
            ?? await db.Customers.Where(c => c.Id == ticket.RequesterId).Select(c => c.Organisation).FirstOrDefaultAsync(ct);
        return FactsOf(ticket, team ?? "", organisation);
    }

    public static TicketFacts FactsOf(Ticket ticket, string team, string? organisation) =>
        new(ticket.Priority, team, ticket.Channel, ticket.Tags, organisation);
}
