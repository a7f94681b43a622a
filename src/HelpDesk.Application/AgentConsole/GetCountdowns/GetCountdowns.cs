using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Domain.Sla;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.AgentConsole.GetCountdowns;

/// <summary>
/// What a console needs to tick an SLA countdown by itself: for each ticket the clock nearest to breaching, its target,
/// the business time counted at <see cref="CountdownPage.EvaluatedAt"/>, and the calendar's upcoming working windows.
/// Remaining business time at a later instant t is <c>remaining − |windows ∩ [evaluatedAt, t)|</c>; a paused clock does not tick.
/// </summary>
public sealed record GetCountdowns(IReadOnlyList<int> Numbers) : IQuery<CountdownPage>;

public sealed record WindowDto(Instant From, Instant To);

/// <summary>
/// <see cref="State"/>: <c>running</c>, <c>paused</c> or <c>breached</c>; <see cref="RemainingMs"/> is negative once
/// breached. <see cref="WarnAtPercent"/>: the policy's thresholds (the chip turns amber at the first).
/// </summary>
public sealed record CountdownDto(int Number, string Metric, int Cycle, string State, long TargetMs, long CountedMs, long RemainingMs,
    Instant? DueAt, IReadOnlyList<int> WarnAtPercent, IReadOnlyList<WindowDto> Windows);

public sealed record CountdownPage(Instant EvaluatedAt, IReadOnlyList<CountdownDto> Countdowns);

public sealed class GetCountdownsValidator : AbstractValidator<GetCountdowns>
{
    public GetCountdownsValidator() => RuleFor(q => q.Numbers).NotNull().Must(n => n.Count <= 200).WithMessage("At most 200 tickets at once.");
}

public sealed class GetCountdownsHandler(HelpDeskDbContext db, Caller caller, IClock clock, SlaConfigurationCache cache)
    : IQueryHandler<GetCountdowns, CountdownPage>
{
    /// <summary>How far ahead working windows are sent; the console asks again before it runs out (and on every change).</summary>
    public static readonly Duration Horizon = Duration.FromDays(14);

    public async ValueTask<CountdownPage> Handle(GetCountdowns query, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var visible = await caller.VisibleTeamsAsync(ct);
        var numbers = query.Numbers.Distinct().ToList();
        var tickets = db.Tickets.AsNoTracking().Include(t => t.History).Where(t => numbers.Contains(t.Number)).VisibleTo(visible);
        var configuration = await cache.GetAsync(db, ct);
        var result = new List<CountdownDto>();
        foreach (var ticket in await tickets.AsSplitQuery().ToListAsync(ct))
        {
            var (initial, events) = TicketSla.Ledger(ticket, configuration, now);
            if (initial is null) continue;
            var terms = events.OfType<SlaEvent.TermsChanged>().Select(e => e.Terms).LastOrDefault() ?? initial;
            var report = SlaEngine.Evaluate(initial, events, now);
            if (Pick(report) is not { } cycle) continue;
            var windows = cycle.State == CycleState.Paused ? [] :
                terms.Calendar.WorkingIntervals(now, now + Horizon).Take(60).Select(i => new WindowDto(i.Start, i.End)).ToList();
            var remaining = cycle.Target - cycle.Counted;
            result.Add(new CountdownDto(ticket.Number, MetricName(cycle.Metric), cycle.Cycle,
                cycle.State switch { CycleState.Paused => "paused", CycleState.Breached => "breached", _ => "running" },
                (long)cycle.Target.TotalMilliseconds, (long)cycle.Counted.TotalMilliseconds, (long)remaining.TotalMilliseconds,
                cycle.DueAt, terms.Policy.WarnAtPercent, windows));
        }
        return new CountdownPage(now, result.OrderBy(c => numbers.IndexOf(c.Number)).ToList());
    }

    public static string MetricName(SlaMetric metric) => metric.ToString() is var s ? char.ToLowerInvariant(s[0]) + s[1..] : "";

    /// <summary>The clock that matters most now: a counting one (running or breached-but-running) with the least time left, else a paused one.</summary>
    private static SlaCycle? Pick(SlaReport report)
    {
        var live = report.Clocks.Where(c => c.StoppedAt is null).ToList();
        return live.Where(c => c.State != CycleState.Paused).OrderBy(c => c.Target - c.Counted).FirstOrDefault()
            ?? live.OrderBy(c => c.Target - c.Counted).FirstOrDefault();
    }
}
