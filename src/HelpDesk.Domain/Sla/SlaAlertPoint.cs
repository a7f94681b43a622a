using NodaTime;

namespace HelpDesk.Domain.Sla;

/// <summary>
/// An instant at which the due-queue must fire a warning (<see cref="Percent"/> &lt; 100) or a breach (100) for one cycle.
/// </summary>
public sealed record SlaAlertPoint(SlaMetric Metric, int Cycle, int Percent, Instant At)
{
    public const int Breach = 100;

    /// <summary>
    /// The alert points of the cycles that are still running or paused: thresholds already reached and those projected
    /// from the due instant. Stopped cycles raise nothing any more (their outcome is in the ledger).
    /// </summary>
    public static IEnumerable<SlaAlertPoint> Of(SlaReport report)
    {
        foreach (var c in report.Clocks)
        {
            if (c.State is not (CycleState.Running or CycleState.Paused) && !(c.State == CycleState.Breached && c.StoppedAt is null)) continue;
            foreach (var w in c.Warnings)
                if (w.Percent < Breach) yield return new SlaAlertPoint(c.Metric, c.Cycle, w.Percent, w.At);
            var breach = c.BreachedAt ?? (c.State == CycleState.Running ? c.DueAt : null);
            if (breach is { } at) yield return new SlaAlertPoint(c.Metric, c.Cycle, Breach, at);
        }
    }

    /// <summary>The nearest due instant of a running cycle (the queue sorts by it).</summary>
    public static Instant? NearestDue(SlaReport report) =>
        report.Clocks.Where(c => c.StoppedAt is null && c.DueAt is not null).Select(c => c.DueAt).Min();
}
