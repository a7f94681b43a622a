using NodaTime;

namespace HelpDesk.Domain.Sla;

public enum CycleState { Running, Paused, Met, Breached }

public enum SegmentKind { Counting, OutsideHours, Paused, Stopped }

public sealed record SlaWarning(int Percent, Instant At);

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
    IReadOnlyList<SlaSegment> Segments);

/// <summary>All cycles of a ticket, ordered by metric then cycle number.</summary>
public sealed record SlaReport(IReadOnlyList<SlaCycle> Clocks)
{
    public static readonly SlaReport Empty = new([]);
}
