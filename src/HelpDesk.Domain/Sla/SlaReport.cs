using NodaTime;

namespace HelpDesk.Domain.Sla;

/// <summary>State of one cycle at the evaluation instant (sla.md "States and instants").</summary>
public enum CycleState { Running, Paused, Met, Breached }

/// <summary>What a span of a cycle's life was: business time counted, non-working time, a pause status, or solved.</summary>
public enum SegmentKind { Counting, OutsideHours, Paused, Stopped }

/// <summary>The instant at which <c>counted</c> reached (or, for a running cycle, will reach) <see cref="Percent"/>% of the target.</summary>
public sealed record SlaWarning(int Percent, Instant At);

/// <summary>A <c>[From, To)</c> span of a cycle's life.</summary>
public sealed record SlaSegment(Instant From, Instant To, SegmentKind Kind);

/// <summary>One cycle of one clock at the evaluation instant, exactly the fields of sla.md.</summary>
public sealed record SlaCycle(
    SlaMetric Metric,
    int Cycle,
    CycleState State,
    Duration Target,
    Instant StartedAt,
    Instant? StoppedAt,
    Instant? DueAt,
    Instant? BreachedAt,
    Duration Counted,
    IReadOnlyList<SlaWarning> Warnings,
    IReadOnlyList<SlaSegment> Segments)
{
    /// <summary>
    /// For a <see cref="CycleState.Running"/> cycle that is not breached yet: the earliest instant at which an evaluation
    /// would report it <see cref="CycleState.Breached"/> if nothing else happens. That is one business nanosecond after
    /// <see cref="DueAt"/>, because reaching exactly the target is still met: a target reached at 17:00 on a Friday
    /// breaches at 09:00 on Monday. <c>null</c> otherwise (also when the calendar never reaches it).
    /// </summary>
    public Instant? BreachesAt { get; init; }
}

/// <summary>What a due-queue alert announces.</summary>
public enum SlaAlertKind { Warning, Breach }

/// <summary>
/// One instant at which a running cycle crosses a warning threshold (<see cref="Percent"/> from the policy) or becomes
/// breached (<see cref="Percent"/> is 100, <see cref="Kind"/> is <see cref="SlaAlertKind.Breach"/>).
/// </summary>
public sealed record SlaAlertPoint(SlaMetric Metric, int Cycle, SlaAlertKind Kind, int Percent, Instant At)
{
    /// <summary>The <see cref="Percent"/> of a breach.</summary>
    public const int Breach = 100;
}

/// <summary>All cycles of a ticket, ordered by metric then cycle number.</summary>
public sealed record SlaReport(IReadOnlyList<SlaCycle> Clocks)
{
    public static readonly SlaReport Empty = new([]);

    /// <summary>
    /// Every alert point of the cycles that are still counting (running, or running past their target), ordered by
    /// instant (then metric, cycle, kind, percent): each warning (reached or projected) and the breach instant
    /// (<see cref="SlaCycle.BreachesAt"/> ahead, or <see cref="SlaCycle.BreachedAt"/> once passed, so a due-queue that
    /// evaluates just after the instant still sees the breach it has to fire).
    /// Paused and stopped cycles have none: nothing will happen to them until another event.
    /// </summary>
    public IReadOnlyList<SlaAlertPoint> AlertPoints()
    {
        var alerts = new List<SlaAlertPoint>();
        foreach (var c in Clocks)
        {
            if (c.StoppedAt is not null || c.State == CycleState.Paused)
            {
                continue;
            }

            foreach (var w in c.Warnings)
            {
                alerts.Add(new SlaAlertPoint(c.Metric, c.Cycle, SlaAlertKind.Warning, w.Percent, w.At));
            }

            if ((c.BreachesAt ?? c.BreachedAt) is { } breach)
            {
                alerts.Add(new SlaAlertPoint(c.Metric, c.Cycle, SlaAlertKind.Breach, 100, breach));
            }
        }

        alerts.Sort((a, b) =>
        {
            var byAt = a.At.CompareTo(b.At);
            if (byAt != 0) return byAt;
            var byMetric = a.Metric.CompareTo(b.Metric);
            if (byMetric != 0) return byMetric;
            var byCycle = a.Cycle.CompareTo(b.Cycle);
            if (byCycle != 0) return byCycle;
            var byKind = a.Kind.CompareTo(b.Kind);
            return byKind != 0 ? byKind : a.Percent.CompareTo(b.Percent);
        });
        return alerts;
    }

    /// <summary>
    /// The nearest due instant of a cycle still counting, including one already past its target (the queue sorts by it,
    /// so breached tickets come first); null when nothing is counting.
    /// </summary>
    public Instant? NearestDueAt()
    {
        Instant? nearest = null;
        foreach (var c in Clocks)
            if (c.StoppedAt is null && c.DueAt is { } due && (nearest is null || due < nearest)) nearest = due;
        return nearest;
    }
}
