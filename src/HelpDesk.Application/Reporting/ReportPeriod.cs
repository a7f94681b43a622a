using FluentValidation;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Application.Reporting;

/// <summary>A query over a reporting period: local dates <c>from</c>..<c>to</c> (inclusive) in the viewer's time zone.</summary>
public interface IReportPeriodQuery
{
    string? From { get; }
    string? To { get; }
    string? Tz { get; }
}

/// <summary>
/// The local dates <see cref="From"/>..<see cref="To"/> (inclusive) in <see cref="Zone"/> as the instants
/// <c>[Start, End)</c>: <c>from</c> 00:00 to the day after <c>to</c> 00:00, each resolved in the zone (a midnight that a
/// DST gap skips becomes the first instant after the gap).
/// </summary>
public sealed record ReportPeriod(LocalDate From, LocalDate To, DateTimeZone Zone)
{
    public const int MaxDays = 366;

    public Instant Start { get; } = From.AtStartOfDayInZone(Zone).ToInstant();
    public Instant End { get; } = To.PlusDays(1).AtStartOfDayInZone(Zone).ToInstant();

    public static ReportPeriod Of(IReportPeriodQuery query) =>
        new(ParseDate(query.From)!.Value, ParseDate(query.To)!.Value, ParseZone(query.Tz)!);

    public static LocalDate? ParseDate(string? s) =>
        s is not null && LocalDatePattern.Iso.Parse(s.Trim()) is { Success: true } r ? r.Value : null;

    /// <summary>The IANA zone, UTC when none is given, null when unknown.</summary>
    public static DateTimeZone? ParseZone(string? id) =>
        string.IsNullOrWhiteSpace(id) ? DateTimeZone.Utc : DateTimeZoneProviders.Tzdb.GetZoneOrNull(id.Trim());

    /// <summary>
    /// The ISO weeks (Monday to Sunday in the zone) that overlap the period: each week's Monday, and its instants clipped
    /// to the period.
    /// </summary>
    public IReadOnlyList<(LocalDate Monday, Instant Start, Instant End)> Weeks()
    {
        var weeks = new List<(LocalDate, Instant, Instant)>();
        var monday = From.PlusDays(-(((int)From.DayOfWeek) - 1));
        while (monday <= To)
        {
            var next = monday.PlusWeeks(1);
            var start = Instant.Max(Start, monday.AtStartOfDayInZone(Zone).ToInstant());
            var end = Instant.Min(End, next.AtStartOfDayInZone(Zone).ToInstant());
            weeks.Add((monday, start, end));
            monday = next;
        }
        return weeks;
    }
}

/// <summary>Shape checks of a period: both dates present and valid, from ≤ to, at most 366 days, a known time zone.</summary>
public sealed class ReportPeriodValidator : AbstractValidator<IReportPeriodQuery>
{
    public ReportPeriodValidator()
    {
        RuleFor(q => q.From).NotEmpty().WithMessage("'from' is required (YYYY-MM-DD).")
            .Must(d => ReportPeriod.ParseDate(d) is not null).WithMessage("'from' must be a date (YYYY-MM-DD).");
        RuleFor(q => q.To).NotEmpty().WithMessage("'to' is required (YYYY-MM-DD).")
            .Must(d => ReportPeriod.ParseDate(d) is not null).WithMessage("'to' must be a date (YYYY-MM-DD).");
        RuleFor(q => q.To)
            .Must((q, to) => ReportPeriod.ParseDate(q.From) <= ReportPeriod.ParseDate(to)).WithMessage("'to' must not be before 'from'.")
            .Must((q, to) => Period.DaysBetween(ReportPeriod.ParseDate(q.From)!.Value, ReportPeriod.ParseDate(to)!.Value) < ReportPeriod.MaxDays)
            .WithMessage($"the period is at most {ReportPeriod.MaxDays} days.")
            .When(q => ReportPeriod.ParseDate(q.From) is not null && ReportPeriod.ParseDate(q.To) is not null);
        RuleFor(q => q.Tz).Must(tz => ReportPeriod.ParseZone(tz) is not null).WithMessage("'tz' must be an IANA time zone id (e.g. Europe/Berlin).");
    }
}
