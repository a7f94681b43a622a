using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Reporting;
using HelpDesk.Domain.Sla;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Reporting.GetConsoleTiles;

/// <summary>
/// The console's metric tiles for the caller's teams (metrics.md): first response time, resolution time (mean and
/// median, business time from the reporting read model) and first contact resolution, for today (UTC day, or the day in
/// <see cref="TimeZone"/>) and the last 7 days, each with the SLA attainment (cycles met ÷ stopped) and the target in force.
/// </summary>
public sealed record GetConsoleTiles(string? TimeZone = null) : IQuery<ConsoleTiles>;

/// <summary>A time metric over the cycles that stopped in the period. Durations in milliseconds of business time.</summary>
public sealed record TimeTile(int Count, long? MeanMs, long? MedianMs, int Met, double? Attainment, long? TargetMs);

public sealed record FcrTile(int Solved, int FirstContact, double? Rate);

public sealed record PeriodTiles(Instant From, TimeTile FirstResponse, TimeTile Resolution, FcrTile FirstContactResolution);

public sealed record ConsoleTiles(Instant EvaluatedAt, PeriodTiles Today, PeriodTiles Last7Days);

public sealed class GetConsoleTilesHandler(HelpDeskDbContext db, Caller caller, IClock clock) : IQueryHandler<GetConsoleTiles, ConsoleTiles>
{
    public async ValueTask<ConsoleTiles> Handle(GetConsoleTiles query, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var zone = (query.TimeZone is { Length: > 0 } id ? DateTimeZoneProviders.Tzdb.GetZoneOrNull(id) : null) ?? DateTimeZone.Utc;
        var today = now.InZone(zone).Date.AtStartOfDayInZone(zone).ToInstant();
        var week = now - Duration.FromDays(7);
        var from = Instant.Min(today, week);

        // The reporting read model (ADR 0007) holds every stopped cycle and final solve; no ledger is replayed here.
        var visible = await caller.VisibleTeamsAsync(ct);
        var cycles = db.Set<ReportCycle>().AsNoTracking()
            .Where(c => c.StoppedAt >= from && (c.Metric == SlaMetric.FirstResponse || c.Metric == SlaMetric.Resolution)
                && (c.State == CycleState.Met || c.State == CycleState.Breached))
            .VisibleTo(visible);
        var solves = db.Set<ReportTicket>().AsNoTracking().Where(r => r.SolvedAt >= from).VisibleTo(visible);
        var stopped = await cycles.Select(c => new Stop(c.Metric, c.StoppedAt!.Value, c.State, c.CountedMs, c.TargetMs)).ToListAsync(ct);
        var solved = await solves.Select(r => new Solve(r.SolvedAt!.Value, r.FirstContactResolution)).ToListAsync(ct);
        return new ConsoleTiles(now, Period(stopped, solved, today), Period(stopped, solved, week));
    }

    private sealed record Stop(SlaMetric Metric, Instant StoppedAt, CycleState State, long CountedMs, long TargetMs);

    private sealed record Solve(Instant SolvedAt, bool FirstContact);

    private static PeriodTiles Period(IReadOnlyList<Stop> stopped, IReadOnlyList<Solve> solved, Instant from)
    {
        var inPeriod = solved.Where(s => s.SolvedAt >= from).ToList();
        var firstContact = inPeriod.Count(s => s.FirstContact);
        return new PeriodTiles(from,
            Time(stopped.Where(c => c.Metric == SlaMetric.FirstResponse && c.StoppedAt >= from).ToList()),
            Time(stopped.Where(c => c.Metric == SlaMetric.Resolution && c.StoppedAt >= from).ToList()),
            new FcrTile(inPeriod.Count, firstContact, inPeriod.Count == 0 ? null : (double)firstContact / inPeriod.Count));
    }

    private static TimeTile Time(IReadOnlyList<Stop> cycles)
    {
        if (cycles.Count == 0) return new TimeTile(0, null, null, 0, null, null);
        var ms = cycles.Select(c => c.CountedMs).Order().ToList();
        var median = ms.Count % 2 == 1 ? ms[ms.Count / 2] : (ms[ms.Count / 2 - 1] + ms[ms.Count / 2]) / 2;
        var met = cycles.Count(c => c.State == CycleState.Met);
        // The target most of these cycles had (they may differ by priority); the attainment compares each with its own.
        var target = cycles.GroupBy(c => c.TargetMs).OrderByDescending(g => g.Count()).First().Key;
        return new TimeTile(cycles.Count, (long)ms.Average(), median, met, (double)met / cycles.Count, target);
    }
}
