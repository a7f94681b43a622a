using HelpDesk.Application.AgentConsole.GetCountdowns;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Metrics.GetConsoleTiles;

/// <summary>
/// The console's metric tiles for the caller's teams (metrics.md): first response time, resolution time (mean and
/// median, business time from each ticket's SLA ledger) and first contact resolution, for today (UTC day, or the day in
/// <see cref="TimeZone"/>) and the last 7 days, each with the SLA attainment (cycles met ÷ stopped) and the target in force.
/// </summary>
public sealed record GetConsoleTiles(string? TimeZone = null) : IQuery<ConsoleTiles>;

/// <summary>A time metric over the cycles that stopped in the period. Durations in milliseconds of business time.</summary>
public sealed record TimeTile(int Count, long? MeanMs, long? MedianMs, int Met, double? Attainment, long? TargetMs);

public sealed record FcrTile(int Solved, int FirstContact, double? Rate);

public sealed record PeriodTiles(Instant From, TimeTile FirstResponse, TimeTile Resolution, FcrTile FirstContactResolution);

public sealed record ConsoleTiles(Instant EvaluatedAt, PeriodTiles Today, PeriodTiles Last7Days);

public sealed class GetConsoleTilesHandler(HelpDeskDbContext db, Caller caller, IClock clock, SlaConfigurationCache cache)
    : IQueryHandler<GetConsoleTiles, ConsoleTiles>
{
    public async ValueTask<ConsoleTiles> Handle(GetConsoleTiles query, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var zone = (query.TimeZone is { Length: > 0 } id ? DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) : null) ?? DateTimeZone.Utc;
        var today = now.InZone(zone).Date.AtStartOfDayInZone(zone).ToInstant();
        var week = now - Duration.FromDays(7);
        var from = Instant.Min(today, week);

        var visible = await caller.VisibleTeamsAsync(ct);
        var tickets = db.Tickets.AsNoTracking().Include(t => t.History).Where(t => t.UpdatedAt >= from);
        if (visible is not null) tickets = tickets.Where(t => visible.Contains(t.TeamId));
        var configuration = await cache.GetAsync(db, ct);
        var facts = (await tickets.AsSplitQuery().ToListAsync(ct)).Select(t => Facts.Of(t, TicketSla.Evaluate(t, configuration, now))).ToList();
        return new ConsoleTiles(now, Period(facts, today), Period(facts, week));
    }

    private static PeriodTiles Period(IReadOnlyList<Facts> facts, Instant from)
    {
        var solved = facts.Where(f => f.SolvedAt is { } s && s >= from).ToList();
        return new PeriodTiles(from,
            Time(facts.SelectMany(f => f.Cycles).Where(c => c.Metric == SlaMetric.FirstResponse && c.StoppedAt >= from).ToList()),
            Time(facts.SelectMany(f => f.Cycles).Where(c => c.Metric == SlaMetric.Resolution && c.StoppedAt >= from && c.State != CycleState.Paused).ToList()),
            new FcrTile(solved.Count, solved.Count(f => f.FirstContact), solved.Count == 0 ? null : (double)solved.Count(f => f.FirstContact) / solved.Count));
    }

    private static TimeTile Time(IReadOnlyList<SlaCycle> cycles)
    {
        if (cycles.Count == 0) return new TimeTile(0, null, null, 0, null, null);
        var ms = cycles.Select(c => (long)c.Counted.TotalMilliseconds).Order().ToList();
        var median = ms.Count % 2 == 1 ? ms[ms.Count / 2] : (ms[ms.Count / 2 - 1] + ms[ms.Count / 2]) / 2;
        var met = cycles.Count(c => c.State == CycleState.Met);
        // The target most of these cycles had (they may differ by priority); the attainment compares each with its own.
        var target = cycles.GroupBy(c => c.Target).OrderByDescending(g => g.Count()).First().Key;
        return new TimeTile(cycles.Count, (long)ms.Average(), median, met, (double)met / cycles.Count, (long)target.TotalMilliseconds);
    }

    /// <summary>What one ticket contributes: its stopped cycles, when it was (finally) solved, and whether that was a first-contact resolution.</summary>
    private sealed record Facts(IReadOnlyList<SlaCycle> Cycles, Instant? SolvedAt, bool FirstContact)
    {
        public static Facts Of(Ticket t, SlaReport report)
        {
            var solvedAt = t.IsSolvedOrClosed
                ? t.History.Where(h => h.Kind == TicketChangeKind.StatusChanged && h.To is "Solved" or "Closed").Select(h => (Instant?)h.At).Max()
                : null;
            var reopened = t.History.Any(h => h.Kind == TicketChangeKind.StatusChanged && h.From is "Solved" or "Closed");
            var replies = t.History.Count(h => h.Kind == TicketChangeKind.PublicAgentReply);
            var stopped = report.Clocks.Where(c => c.StoppedAt is not null && c.State is CycleState.Met or CycleState.Breached).ToList();
            return new Facts(stopped, solvedAt, solvedAt is not null && replies == 1 && !reopened);
        }
    }
}
