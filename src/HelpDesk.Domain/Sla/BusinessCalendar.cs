using System.Collections.Concurrent;
using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Domain.Sla;

/// <summary>A local working range <c>[Start, End)</c>; <c>End == null</c> means 24:00 (the next midnight).</summary>
public sealed record WorkingRange(LocalTime Start, LocalTime? End)
{
    /// <inheritdoc />
    public override string ToString() => $"{Format(Start)}-{(End is { } end ? Format(end) : "24:00")}";

    /// <summary><c>09:00</c>, or <c>09:00:30</c> when the time has seconds: how calendars write their times.</summary>
    public static string Format(LocalTime time) =>
        LocalTimePattern.CreateWithInvariantCulture(time.Second == 0 && time.NanosecondOfSecond == 0 ? "HH:mm" : "HH:mm:ss.FFFFFFFFF").Format(time);
}

/// <summary>
/// Business hours in a time zone: a weekly schedule and holidays, or 24/7. Immutable and safe to share between threads.
/// All arithmetic is in real elapsed time inside working ranges (see sla.md "Time").
/// </summary>
/// <remarks>
/// <para>
/// Every range of every non-holiday local date is mapped to instants with NodaTime's lenient resolver (a skipped local
/// time moves forward by the length of the gap, an ambiguous one takes the earlier occurrence; 24:00 is the next date's
/// 00:00 resolved the same way). Business time is the union of those intervals. Because a forward-shifted local time can
/// land after a later local time of the same day, mapped intervals may be empty, out of order or overlap near a DST gap;
/// the union takes care of that.
/// </para>
/// <para>
/// For speed the timeline is cut into per-date windows <c>[LB(d), LB(d+1))</c>, where <c>LB(d)</c> is the earliest
/// instant any local time of date <c>d</c> or later can map to. Each window's share of the union is computed once and
/// cached. A window only needs the intervals of its own date and the two dates before it (a DST gap is at most a day).
/// </para>
/// <para>
/// A calendar without any working range (every weekday off) never accumulates business time:
/// <see cref="TryAddBusinessTime"/> returns <c>false</c> and <see cref="AddBusinessTime"/> throws.
/// </para>
/// </remarks>
public sealed class BusinessCalendar
{
    private static readonly IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingRange>> FullWeek =
        Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None)
            .ToDictionary(d => d, _ => (IReadOnlyList<WorkingRange>)[new WorkingRange(LocalTime.Midnight, null)]);

    // Far enough from NodaTime's LocalDate limits that PlusDays(±3) never throws.
    private static readonly LocalDate MinDate = new(-9990, 1, 1);
    private static readonly LocalDate MaxDate = new(9990, 1, 1);
    private static readonly Instant MinInstant = Instant.FromUtc(-9990, 1, 2, 0, 0);
    private static readonly Instant MaxInstant = Instant.FromUtc(9989, 12, 31, 0, 0);
    private const int MaxCachedWindows = 100_000;

    /// <summary>Every instant is business time (UTC; the zone is irrelevant for a 24/7 calendar).</summary>
    public static BusinessCalendar TwentyFourSeven { get; } = new(DateTimeZone.Utc, FullWeek, new HashSet<LocalDate>(), alwaysOpen: true);

    private readonly WorkingRange[][] _byDay; // indexed by (int)IsoDayOfWeek, sorted by start
    private readonly HashSet<LocalDate> _holidays;
    private readonly bool _hasWorkingTime;
    private readonly ConcurrentDictionary<LocalDate, Window> _windows = new();

    private BusinessCalendar(DateTimeZone zone, IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingRange>> week, HashSet<LocalDate> holidays, bool alwaysOpen)
    {
        Zone = zone;
        Week = week;
        _holidays = holidays;
        IsAlwaysOpen = alwaysOpen;
        _byDay = new WorkingRange[8][];
        for (var d = 0; d < 8; d++)
        {
            _byDay[d] = week.TryGetValue((IsoDayOfWeek)d, out var ranges) ? [.. ranges] : [];
        }

        _hasWorkingTime = alwaysOpen || _byDay.Any(r => r.Length > 0);
    }

    /// <summary>Validates (start &lt; end, no overlap within a day) and builds a calendar. Ranges are sorted by start.</summary>
    /// <exception cref="ArgumentException">with a message naming the offending field, e.g.
    /// <c>calendar.week.tuesday[1]: overlaps 09:00-12:00</c>.</exception>
    public static BusinessCalendar Create(DateTimeZone zone, IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingRange>> week, IEnumerable<LocalDate> holidays)
    {
        ArgumentNullException.ThrowIfNull(zone);
        ArgumentNullException.ThrowIfNull(week);
        ArgumentNullException.ThrowIfNull(holidays);
        var normalized = new Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingRange>>();
        foreach (var (day, ranges) in week)
        {
            if (day == IsoDayOfWeek.None || !Enum.IsDefined(day))
            {
                throw new ArgumentException($"calendar.week: invalid day of week {(int)day}");
            }

            var field = $"calendar.week.{day.ToString().ToLowerInvariant()}";
            for (var i = 0; i < ranges.Count; i++)
            {
                var r = ranges[i] ?? throw new ArgumentException($"{field}[{i}]: missing range");
                if (r.End is { } end && end <= r.Start)
                {
                    throw new ArgumentException($"{field}[{i}]: start {WorkingRange.Format(r.Start)} is not before end {WorkingRange.Format(end)}");
                }
            }

            // Sort by start but report the offending range by its index as given, the one a person would look for.
            var order = Enumerable.Range(0, ranges.Count).OrderBy(i => ranges[i].Start).ToArray();
            for (var k = 1; k < order.Length; k++)
            {
                var previous = ranges[order[k - 1]];
                var current = ranges[order[k]];
                if (previous.End is null || previous.End > current.Start)
                {
                    var (later, other) = order[k] > order[k - 1] ? (order[k], previous) : (order[k - 1], current);
                    throw new ArgumentException($"{field}[{later}]: overlaps {other}");
                }
            }

            if (order.Length > 0)
            {
                normalized[day] = order.Select(i => ranges[i]).ToArray();
            }
        }

        return new BusinessCalendar(zone, normalized, [.. holidays], alwaysOpen: false);
    }

    /// <summary>True for <see cref="TwentyFourSeven"/>: every instant is business time.</summary>
    public bool IsAlwaysOpen { get; }

    /// <summary>The zone in which working ranges and holidays are read.</summary>
    public DateTimeZone Zone { get; }

    /// <summary>Working ranges per weekday, sorted by start; a weekday not present is off.</summary>
    public IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingRange>> Week { get; }

    /// <summary>Local dates that are entirely off.</summary>
    public IReadOnlySet<LocalDate> Holidays => _holidays;

    /// <summary>False when no weekday has a working range: such a calendar never accumulates business time.</summary>
    public bool HasWorkingTime => _hasWorkingTime;

    /// <summary>Business time inside <c>[from, to)</c>; zero when <paramref name="to"/> is not after <paramref name="from"/>.</summary>
    public Duration BusinessTimeBetween(Instant from, Instant to)
    {
        if (to <= from)
        {
            return Duration.Zero;
        }

        if (IsAlwaysOpen)
        {
            return to - from;
        }

        var total = Duration.Zero;
        var walker = new Walker(this, from, to);
        while (walker.Next(out var s, out var e))
        {
            total += e - s;
        }

        return total;
    }

    /// <summary>
    /// The earliest instant <c>t</c> with <c>BusinessTimeBetween(from, t) == amount</c> (so <paramref name="from"/> for zero).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">the calendar has no working time at all, so the amount is never reached.</exception>
    public Instant AddBusinessTime(Instant from, Duration amount) =>
        TryAddBusinessTime(from, amount, out var result)
            ? result
            : throw new InvalidOperationException("The calendar has no working time; business time never elapses.");

    /// <summary>
    /// Like <see cref="AddBusinessTime"/>, but returns <c>false</c> instead of throwing when the amount is never reached
    /// (a calendar without working time, or beyond the year 9990).
    /// </summary>
    public bool TryAddBusinessTime(Instant from, Duration amount, out Instant result)
    {
        if (amount < Duration.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(amount), amount, "Business time to add must not be negative.");
        }

        result = from;
        if (amount == Duration.Zero)
        {
            return true;
        }

        if (IsAlwaysOpen)
        {
            result = from + amount;
            return true;
        }

        if (!_hasWorkingTime)
        {
            return false;
        }

        var remaining = amount;
        var walker = new Walker(this, from, null);
        while (walker.Next(out var s, out var e))
        {
            var length = e - s;
            if (length >= remaining)
            {
                result = s + remaining;
                return true;
            }

            remaining -= length;
        }

        return false;
    }

    /// <summary>
    /// The working intervals intersecting <c>[from, to)</c>, clipped to it, in order, disjoint and with adjacent ones merged.
    /// </summary>
    public IEnumerable<Interval> WorkingIntervals(Instant from, Instant to)
    {
        if (to <= from)
        {
            yield break;
        }

        if (IsAlwaysOpen)
        {
            yield return new Interval(from, to);
            yield break;
        }

        var walker = new Walker(this, from, to);
        while (walker.Next(out var s, out var e))
        {
            yield return new Interval(s, e);
        }
    }

    /// <summary>Allocation-free form of <see cref="WorkingIntervals"/> for the engine's hot path.</summary>
    internal void CopyWorkingIntervals(Instant from, Instant to, List<Interval> into)
    {
        into.Clear();
        if (to <= from)
        {
            return;
        }

        if (IsAlwaysOpen)
        {
            into.Add(new Interval(from, to));
            return;
        }

        var walker = new Walker(this, from, to);
        while (walker.Next(out var s, out var e))
        {
            into.Add(new Interval(s, e));
        }
    }

    /// <inheritdoc />
    public override string ToString() => IsAlwaysOpen
        ? "24/7"
        : $"{Zone.Id}: " + string.Join("; ", Week.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {string.Join(",", kv.Value)}"))
          + (_holidays.Count > 0 ? $"; {_holidays.Count.ToString(CultureInfo.InvariantCulture)} holidays" : "");

    /// <summary>The union of working intervals inside <c>[Start, End)</c> of one date window; sorted, disjoint.</summary>
    private sealed class Window(Instant start, Instant end, Instant[] bounds)
    {
        public Instant Start { get; } = start;
        public Instant End { get; } = end;

        /// <summary>Pairs start, end, start, end, ...</summary>
        public Instant[] Bounds { get; } = bounds;
    }

    private Window GetWindow(LocalDate date)
    {
        if (_windows.TryGetValue(date, out var window))
        {
            return window;
        }

        window = BuildWindow(date);
        if (_windows.Count >= MaxCachedWindows)
        {
            // A long-lived calendar queried across centuries should not grow without bound; rebuilding is cheap.
            _windows.Clear();
        }

        _windows.TryAdd(date, window);
        return window;
    }

    private Window BuildWindow(LocalDate date)
    {
        var start = LowerBound(date);
        var end = LowerBound(date.PlusDays(1));
        var raw = new List<(Instant Start, Instant End)>();
        for (var d = date.PlusDays(-2); d <= date; d = d.PlusDays(1))
        {
            AddMappedRanges(d, raw);
        }

        raw.Sort((a, b) => a.Start.CompareTo(b.Start));
        var bounds = new List<Instant>();
        Instant? curStart = null;
        var curEnd = Instant.MinValue;
        foreach (var (s0, e0) in raw)
        {
            var s = s0 < start ? start : s0;
            var e = e0 > end ? end : e0;
            if (e <= s)
            {
                continue;
            }

            if (curStart is not null && s <= curEnd)
            {
                if (e > curEnd)
                {
                    curEnd = e;
                }

                continue;
            }

            if (curStart is { } cs)
            {
                bounds.Add(cs);
                bounds.Add(curEnd);
            }

            curStart = s;
            curEnd = e;
        }

        if (curStart is { } last)
        {
            bounds.Add(last);
            bounds.Add(curEnd);
        }

        return new Window(start, end, [.. bounds]);
    }

    private void AddMappedRanges(LocalDate date, List<(Instant, Instant)> into)
    {
        if (_holidays.Contains(date))
        {
            return;
        }

        foreach (var range in _byDay[(int)date.DayOfWeek])
        {
            var s = (date + range.Start).InZoneLeniently(Zone).ToInstant();
            var e = (range.End is { } end ? date + end : date.PlusDays(1).AtMidnight()).InZoneLeniently(Zone).ToInstant();
            if (e > s)
            {
                into.Add((s, e));
            }
        }
    }

    /// <summary>The earliest instant that any local time on <paramref name="date"/> or later maps to leniently.</summary>
    private Instant LowerBound(LocalDate date)
    {
        var mapping = Zone.MapLocal(date.AtMidnight());
        // Midnight skipped: times in the gap map forward from the transition itself.
        return mapping.Count == 0 ? mapping.LateInterval.Start : mapping.First().ToInstant();
    }

    /// <summary>The date whose window contains <paramref name="instant"/>.</summary>
    private LocalDate WindowDateOf(Instant instant)
    {
        var date = instant < MinInstant ? MinDate : instant > MaxInstant ? MaxDate : instant.InZone(Zone).Date;
        while (date > MinDate && GetWindow(date).Start > instant)
        {
            date = date.PlusDays(-1);
        }

        while (date < MaxDate && GetWindow(date).End <= instant)
        {
            date = date.PlusDays(1);
        }

        return date;
    }

    /// <summary>Walks the working intervals from an instant, optionally up to an end, merging adjacent ones.</summary>
    private struct Walker
    {
        private readonly BusinessCalendar _calendar;
        private readonly Instant _to;
        private readonly bool _bounded;
        private Instant _cursor;
        private LocalDate _date;
        private Window _window;
        private int _index;
        private bool _done;

        public Walker(BusinessCalendar calendar, Instant from, Instant? to)
        {
            _calendar = calendar;
            _bounded = to.HasValue;
            _to = to ?? Instant.MaxValue;
            _cursor = from;
            _date = calendar.WindowDateOf(from);
            _window = calendar.GetWindow(_date);
            _index = 0;
            _done = !calendar._hasWorkingTime;
        }

        /// <summary>The next maximal working interval (clipped to the walk's span), or false at the end.</summary>
        public bool Next(out Instant start, out Instant end)
        {
            start = end = default;
            var found = false;
            while (!_done)
            {
                if (!RawNext(out var s, out var e))
                {
                    _done = true;
                    break;
                }

                if (!found)
                {
                    start = s;
                    end = e;
                    found = true;
                    continue;
                }

                if (s == end)
                {
                    end = e;
                    continue;
                }

                // Not adjacent: put it back for the next call.
                _index -= 2;
                break;
            }

            return found;
        }

        private bool RawNext(out Instant start, out Instant end)
        {
            while (true)
            {
                var bounds = _window.Bounds;
                while (_index < bounds.Length)
                {
                    var s = bounds[_index];
                    var e = bounds[_index + 1];
                    _index += 2;
                    if (e <= _cursor)
                    {
                        continue;
                    }

                    if (s >= _to)
                    {
                        start = end = default;
                        return false;
                    }

                    start = s < _cursor ? _cursor : s;
                    end = e > _to ? _to : e;
                    return true;
                }

                if (_window.End >= _to || _date >= MaxDate)
                {
                    start = end = default;
                    return false;
                }

                _date = _date.PlusDays(1);
                _window = _calendar.GetWindow(_date);
                _index = 0;
            }
        }
    }
}
