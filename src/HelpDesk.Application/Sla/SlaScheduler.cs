using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Sla;

/// <summary>
/// Keeps a ticket's derived SLA columns right after every change: re-selects the policy, evaluates the engine, and stores
/// the nearest due instant (queue order) and the next alert instant (what the due-queue waits for).
/// Called by every handler that changes a ticket, before its single SaveChanges.
/// </summary>
public sealed class SlaScheduler(HelpDeskDbContext db, SlaConfigurationCache cache)
{
    public async Task<SlaReport> RefreshAsync(Ticket ticket, Instant now, CancellationToken ct)
    {
        var configuration = await cache.GetAsync(db, ct);
        var team = db.Teams.Local.FirstOrDefault(t => t.Id == ticket.TeamId)?.Name
            ?? await db.Teams.Where(t => t.Id == ticket.TeamId).Select(t => t.Name).FirstOrDefaultAsync(ct);
        var organisation = db.Customers.Local.FirstOrDefault(c => c.Id == ticket.RequesterId)?.Organisation
            ?? await db.Customers.Where(c => c.Id == ticket.RequesterId).Select(c => c.Organisation).FirstOrDefaultAsync(ct);
        var fired = await db.SlaAlerts.Where(a => a.TicketId == ticket.Id)
            .Select(a => new { a.Metric, a.Cycle, a.Percent }).ToListAsync(ct);
        return Recompute(ticket, configuration, FactsOf(ticket, team ?? "", organisation),
            fired.Select(f => (f.Metric, f.Cycle, f.Percent)).ToHashSet(), now);
    }

    public static TicketFacts FactsOf(Ticket ticket, string team, string? organisation) =>
        new(ticket.Priority, team, ticket.Channel, ticket.Tags, organisation);

    /// <summary>
    /// Re-selects the policy and stores the derived SLA columns. Policies are chosen by what the ticket looks like now;
    /// once a ticket has a policy it keeps one (when nothing matches any more the last one stays: a lead would not
    /// expect running clocks to vanish), and a solved or closed ticket is not moved to another policy.
    /// </summary>
    public static SlaReport Recompute(Ticket ticket, SlaConfiguration configuration, TicketFacts facts,
        IReadOnlySet<(SlaMetric, int, int)> fired, Instant now)
    {
        if (!(ticket.IsSolvedOrClosed && ticket.SlaPolicyName is not null)
            && configuration.Select(facts, now) is { } selected)
            ticket.ApplySlaPolicy(selected.Name, now);
        var report = TicketSla.Evaluate(ticket, configuration, now);
        Schedule(ticket, report, fired);
        return report;
    }

    /// <summary>Stores the derived SLA columns from a report, skipping alerts that have already fired.</summary>
    public static void Schedule(Ticket ticket, SlaReport report, IReadOnlySet<(SlaMetric, int, int)> fired)
    {
        var next = report.AlertPoints()
            .Where(p => !fired.Contains((p.Metric, p.Cycle, p.Percent)))
            .Select(p => (Instant?)p.At)
            .FirstOrDefault();
        ticket.ScheduleSla(report.NearestDueAt(), ticket.IsClosed ? null : next);
    }
}
