using HelpDesk.Domain.Sla;
using NodaTime;

namespace HelpDesk.Domain.Reporting;

/// <summary>How much of the counted time that consumed a breached cycle's target passed while <see cref="Holder"/> held the ticket.</summary>
public sealed record AttributionShare(Holder Holder, Duration Counted);

/// <summary>
/// metrics.md: a breach is attributed to whoever held the ticket (assignee, else team) during the counting segments
/// that consumed the target. Only counting time up to the breach instant is weighed: outside-hours, paused and stopped
/// spans consumed nothing, and time after the breach did not cause it.
/// </summary>
public static class BreachAttribution
{
    /// <summary>
    /// Every holder's share, largest first (a tie goes to the later holder, who had the ticket nearer the breach).
    /// Empty for a cycle that is not breached.
    /// </summary>
    public static IReadOnlyList<AttributionShare> Of(SlaCycle cycle, IReadOnlyList<HolderSpan> holders)
    {
        if (cycle.State != CycleState.Breached || cycle.BreachedAt is not { } breachedAt || holders.Count == 0) return [];
        var shares = new Dictionary<Holder, (Duration Counted, int LastSpan)>();
        foreach (var segment in cycle.Segments)
        {
            if (segment.Kind != SegmentKind.Counting || segment.From >= breachedAt) continue;
            var segmentEnd = segment.To < breachedAt ? segment.To : breachedAt;
            for (var i = 0; i < holders.Count; i++)
            {
                var spanStart = i == 0 ? Instant.MinValue : holders[i].From;
                var spanEnd = i + 1 < holders.Count ? holders[i + 1].From : Instant.MaxValue;
                var from = segment.From > spanStart ? segment.From : spanStart;
                var to = segmentEnd < spanEnd ? segmentEnd : spanEnd;
                if (to <= from) continue;
                var holder = holders[i].Holder;
                var current = shares.GetValueOrDefault(holder);
                shares[holder] = (current.Counted + (to - from), i);
            }
        }
        return shares
            .OrderByDescending(s => s.Value.Counted)
            .ThenByDescending(s => s.Value.LastSpan)
            .Select(s => new AttributionShare(s.Key, s.Value.Counted))
            .ToList();
    }
}
