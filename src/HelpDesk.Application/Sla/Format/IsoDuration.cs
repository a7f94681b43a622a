using System.Globalization;
using System.Text;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Application.Sla.Format;

/// <summary>
/// The one reading and writing of ISO-8601 durations (SLA targets, escalation timers, reports). Only fixed lengths are
/// read: weeks, days (24 hours of business time), hours, minutes, seconds. Years and months have no fixed length and
/// are refused rather than guessed. What a caller allows beyond that (zero, negative) is its own rule.
/// </summary>
public static class IsoDuration
{
    /// <param name="timeOnly">refuse days and weeks too (<c>PT2H</c>, <c>PT90M</c> only).</param>
    public static bool TryParse(string? text, out Duration duration, bool timeOnly = false)
    {
        duration = Duration.Zero;
        if (text is null) return false;
        var parsed = PeriodPattern.NormalizingIso.Parse(text);
        if (!parsed.Success || parsed.Value.Years != 0 || parsed.Value.Months != 0) return false;
        if (timeOnly && parsed.Value.HasDateComponent) return false;
        duration = parsed.Value.ToDuration();
        return true;
    }

    /// <summary>Hours, minutes and seconds only, never days: <c>PT27H30M</c>, <c>PT1H5S</c>, <c>PT0S</c>, <c>PT0.5S</c>, <c>-PT1H</c>.</summary>
    public static string Format(Duration duration)
    {
        var sb = new StringBuilder("PT");
        if (duration < Duration.Zero)
        {
            sb.Insert(0, '-');
            duration = -duration;
        }

        var totalNs = duration.ToInt64Nanoseconds();
        var hours = totalNs / NodaConstants.NanosecondsPerHour;
        var minutes = totalNs % NodaConstants.NanosecondsPerHour / NodaConstants.NanosecondsPerMinute;
        var secondsNs = totalNs % NodaConstants.NanosecondsPerMinute;
        if (hours > 0) sb.Append(hours.ToString(CultureInfo.InvariantCulture)).Append('H');
        if (minutes > 0) sb.Append(minutes.ToString(CultureInfo.InvariantCulture)).Append('M');
        if (secondsNs > 0 || (hours == 0 && minutes == 0))
        {
            sb.Append((secondsNs / NodaConstants.NanosecondsPerSecond).ToString(CultureInfo.InvariantCulture));
            var fraction = secondsNs % NodaConstants.NanosecondsPerSecond;
            if (fraction > 0) sb.Append('.').Append(fraction.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0'));
            sb.Append('S');
        }

        return sb.ToString();
    }
}
