using HelpDesk.Domain.Sla;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Application.Sla.Format;

/// <summary>
/// The one reading of a business calendar's text (sla.md "Calendars"): an IANA zone, per weekday a list of
/// <c>["09:00","17:00"]</c> ranges (<c>HH:mm</c> or <c>HH:mm:ss</c>; <c>24:00</c> only as an end; weekdays not listed are
/// off), holiday dates. The API's body, the simulator's scenario and the stored JSON all go through here, so a calendar
/// one of them accepts is a calendar the others accept.
/// </summary>
public static class CalendarFormat
{
    public static readonly string[] WeekdayNames = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    private static readonly LocalTimePattern[] TimePatterns =
    [
        LocalTimePattern.CreateWithInvariantCulture("HH:mm"),
        LocalTimePattern.CreateWithInvariantCulture("HH:mm:ss"),
    ];

    /// <summary>A weekday's name as calendars write it (<c>monday</c>).</summary>
    public static string DayName(IsoDayOfWeek day) => WeekdayNames[(int)day - 1];

    /// <summary>Builds the calendar, or returns null and adds every problem to <paramref name="errors"/> (fields relative to the calendar).</summary>
    /// <param name="week">weekday name to ranges; a range is expected to hold a start and an end.</param>
    public static BusinessCalendar? Parse(string? timeZone, IEnumerable<(string Day, IReadOnlyList<IReadOnlyList<string>> Ranges)> week,
        IEnumerable<string> holidays, List<FieldError> errors)
    {
        var before = errors.Count;
        var zone = timeZone is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(timeZone);
        if (zone is null) errors.Add(new("timeZone", timeZone is null ? "missing" : $"unknown time zone '{timeZone}'"));

        var days = new Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingRange>>();
        foreach (var (name, ranges) in week)
        {
            var index = Array.FindIndex(WeekdayNames, d => d.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                errors.Add(new($"week.{name}", $"unknown weekday (expected one of {string.Join(", ", WeekdayNames)})"));
                continue;
            }

            var field = $"week.{WeekdayNames[index]}";
            var list = new List<WorkingRange>();
            for (var i = 0; i < ranges.Count; i++)
            {
                if (ranges[i] is not [var startText, var endText])
                {
                    errors.Add(new($"{field}[{i}]", "expected [\"HH:mm\", \"HH:mm\"]"));
                    continue;
                }

                var startRead = TryParseTime(startText, $"{field}[{i}][0]", allowMidnightEnd: false, errors, out var start);
                var endRead = TryParseTime(endText, $"{field}[{i}][1]", allowMidnightEnd: true, errors, out var end);
                if (startRead && endRead) list.Add(new WorkingRange(start!.Value, end));
            }

            days[(IsoDayOfWeek)(index + 1)] = list;
        }

        var dates = new List<LocalDate>();
        var h = 0;
        foreach (var text in holidays)
        {
            var parsed = LocalDatePattern.Iso.Parse(text);
            if (parsed.Success) dates.Add(parsed.Value);
            else errors.Add(new($"holidays[{h}]", $"bad date '{text}' (expected YYYY-MM-DD)"));
            h++;
        }

        if (errors.Count > before || zone is null) return null;
        try
        {
            return BusinessCalendar.Create(zone, days, dates);
        }
        catch (ArgumentException e)
        {
            // The domain names the range it refuses ("calendar.week.monday[1]: overlaps 09:00-12:00").
            var (field, message) = e.Message.Split(": ", 2) is [var f, var m] ? (f, m) : ("calendar.week", e.Message);
            errors.Add(new(field.StartsWith("calendar.", StringComparison.Ordinal) ? field["calendar.".Length..] : field, message));
            return null;
        }
    }

    /// <summary>Writes a range's end as the parser reads it: <c>24:00</c> for the next midnight.</summary>
    public static string[] FormatRange(WorkingRange range) => [WorkingRange.Format(range.Start), range.End is { } end ? WorkingRange.Format(end) : "24:00"];

    /// <param name="time">the time, or null for 24:00 (allowed as an end only).</param>
    private static bool TryParseTime(string text, string field, bool allowMidnightEnd, List<FieldError> errors, out LocalTime? time)
    {
        time = null;
        if (text is "24:00" or "24:00:00" && allowMidnightEnd) return true;
        foreach (var pattern in TimePatterns)
        {
            var parsed = pattern.Parse(text);
            if (!parsed.Success) continue;
            time = parsed.Value;
            return true;
        }

        errors.Add(new(field, $"bad time '{text}' (expected HH:mm{(allowMidnightEnd ? ", or 24:00" : "")})"));
        return false;
    }
}
