namespace HelpDesk.Application.Reporting;

/// <summary>Mean, median and 90th percentile of a set of durations in milliseconds; all null for an empty set.</summary>
public sealed record DurationStats(long? MeanMs, long? MedianMs, long? P90Ms)
{
    public static readonly DurationStats Empty = new(null, null, null);
}

/// <summary>A share: <c>rate = part ÷ whole</c> (0..1), null when the whole is 0.</summary>
public static class Ratio
{
    public static double? Of(long part, long whole) => whole == 0 ? null : (double)part / whole;
}

/// <summary>
/// The statistics of docs/reporting.md "Metrics and scorecards", computed in memory from one projected column so they
/// are the same on every database provider: the median is the average of the two middle values of an even count
/// (rounded down to whole milliseconds), the 90th percentile is the nearest rank (the value at rank ⌈0.9·n⌉ of the
/// sorted values, so it is always a value that occurred), the mean is rounded down to whole milliseconds.
/// </summary>
public static class Statistics
{
    /// <summary>Sorts <paramref name="values"/> in place and summarises them.</summary>
    public static DurationStats Summarise(long[] values)
    {
        if (values.Length == 0) return DurationStats.Empty;
        Array.Sort(values);
        return new DurationStats(Mean(values), Median(values), Percentile(values, 90));
    }

    public static DurationStats Summarise(IEnumerable<long> values) => Summarise(values.ToArray());

    /// <summary>Nearest-rank percentile of sorted values: rank ⌈p/100 · n⌉ (1-based).</summary>
    public static long Percentile(long[] sorted, int percent)
    {
        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }

    public static long Median(long[] sorted)
    {
        var n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : (long)(((Int128)sorted[n / 2 - 1] + sorted[n / 2]) / 2);
    }

    private static long Mean(long[] values)
    {
        Int128 sum = 0;
        foreach (var v in values) sum += v;
        return (long)(sum / values.Length);
    }
}
