using HelpDesk.Domain.Sla;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Domain.Tests.Sla;

/// <summary>Small builders for calendars and instants in tests.</summary>
internal static class Cal
{
    private static readonly LocalTimePattern Hm = LocalTimePattern.CreateWithInvariantCulture("HH:mm");

    public static DateTimeZone Zone(string id) => DateTimeZoneProviders.Tzdb[id];

    public static Instant Utc(string iso) => InstantPattern.ExtendedIso.Parse(iso).Value;

    public static LocalDate Date(string iso) => LocalDatePattern.Iso.Parse(iso).Value;

    public static WorkingRange R(string start, string end) =>
        new(Hm.Parse(start).Value, end == "24:00" ? null : Hm.Parse(end).Value);

    public static BusinessCalendar Create(string zone, Dictionary<IsoDayOfWeek, WorkingRange[]> week, params string[] holidays) =>
        BusinessCalendar.Create(
            Zone(zone),
            week.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<WorkingRange>)kv.Value),
            holidays.Select(Date));

    /// <summary>Monday to Friday 09:00-17:00.</summary>
    public static BusinessCalendar OfficeHours(string zone = "Europe/Berlin", params string[] holidays) =>
        Create(zone, Weekdays(R("09:00", "17:00")), holidays);

    public static Dictionary<IsoDayOfWeek, WorkingRange[]> Weekdays(params WorkingRange[] ranges) => new()
    {
        [IsoDayOfWeek.Monday] = ranges,
        [IsoDayOfWeek.Tuesday] = ranges,
        [IsoDayOfWeek.Wednesday] = ranges,
        [IsoDayOfWeek.Thursday] = ranges,
        [IsoDayOfWeek.Friday] = ranges,
    };

    public static Dictionary<IsoDayOfWeek, WorkingRange[]> EveryDay(params WorkingRange[] ranges) =>
        Enum.GetValues<IsoDayOfWeek>().Where(d => d != IsoDayOfWeek.None).ToDictionary(d => d, _ => ranges);
}
