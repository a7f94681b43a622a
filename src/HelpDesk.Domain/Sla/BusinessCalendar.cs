using NodaTime;

namespace HelpDesk.Domain.Sla;

/// <summary>A local working range <c>[Start, End)</c>; <c>End == null</c> means 24:00 (the next midnight).</summary>
public sealed record WorkingRange(LocalTime Start, LocalTime? End);

/// <summary>
/// Business hours in a time zone: a weekly schedule and holidays, or 24/7. Immutable.
/// All arithmetic is in real elapsed time inside working ranges (see sla.md "Time").
/// </summary>
public sealed class BusinessCalendar
{
    // CONTRACT ONLY: the SLA engine work replaces the bodies below.
    public static BusinessCalendar TwentyFourSeven { get; } = new();

    private BusinessCalendar() { }

    /// <summary>Validates (known zone, start &lt; end, no overlap within a day) and builds a calendar.</summary>
    /// <exception cref="ArgumentException">with a message naming the offending field.</exception>
    public static BusinessCalendar Create(DateTimeZone zone, IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingRange>> week, IEnumerable<LocalDate> holidays)
        => throw new NotSupportedException("contract");

    public bool IsAlwaysOpen => true;
    public DateTimeZone Zone => DateTimeZone.Utc;
    public IReadOnlyDictionary<IsoDayOfWeek, IReadOnlyList<WorkingRange>> Week => new Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingRange>>();
    public IReadOnlySet<LocalDate> Holidays => new HashSet<LocalDate>();

    /// <summary>Business time inside <c>[from, to)</c>.</summary>
    public Duration BusinessTimeBetween(Instant from, Instant to) => to - from;

    /// <summary>The earliest instant at which <paramref name="amount"/> of business time has elapsed after <paramref name="from"/>.</summary>
    public Instant AddBusinessTime(Instant from, Duration amount) => from + amount;
}
