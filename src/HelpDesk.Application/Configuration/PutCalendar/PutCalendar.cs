using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Sla;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Application.Configuration.PutCalendar;

/// <summary>
/// The calendar as the API takes it, in the vocabulary of sla.md: an IANA zone, per weekday a list of
/// <c>["09:00","17:00"]</c> ranges (<c>24:00</c> allowed as an end; weekdays not listed are off), holiday dates;
/// or <c>"twentyFourSeven": true</c>.
/// </summary>
public sealed record CalendarBody(string? TimeZone, Dictionary<string, List<List<string>>>? Week, List<string>? Holidays, bool TwentyFourSeven = false)
{
    private static readonly Dictionary<string, IsoDayOfWeek> Days = new(StringComparer.OrdinalIgnoreCase)
    {
        ["monday"] = IsoDayOfWeek.Monday, ["tuesday"] = IsoDayOfWeek.Tuesday, ["wednesday"] = IsoDayOfWeek.Wednesday,
        ["thursday"] = IsoDayOfWeek.Thursday, ["friday"] = IsoDayOfWeek.Friday, ["saturday"] = IsoDayOfWeek.Saturday,
        ["sunday"] = IsoDayOfWeek.Sunday,
    };

    /// <summary>Builds the calendar, or lists what is wrong with the field names of the request.</summary>
    public BusinessCalendar ToCalendar(out List<ValidationFailure> failures)
    {
        failures = [];
        if (TwentyFourSeven) return BusinessCalendar.TwentyFourSeven;
        var zone = TimeZone is null ? null : DateTimeZoneProviders.Tzdb.GetZoneOrNull(TimeZone);
        if (zone is null) failures.Add(new("timeZone", $"'{TimeZone}' is not an IANA time zone."));
        var week = new Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingRange>>();
        foreach (var (dayName, ranges) in Week ?? [])
        {
            if (!Days.TryGetValue(dayName, out var day)) { failures.Add(new($"week.{dayName}", $"'{dayName}' is not a weekday.")); continue; }
            var list = new List<WorkingRange>();
            for (var i = 0; i < ranges.Count; i++)
            {
                var field = $"week.{dayName.ToLowerInvariant()}[{i}]";
                if (ranges[i] is not [var start, var end]) { failures.Add(new(field, "A range is [\"HH:mm\", \"HH:mm\"].")); continue; }
                var s = LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(start);
                var e = end == "24:00" ? null : LocalTimePattern.CreateWithInvariantCulture("HH:mm").Parse(end);
                if (!s.Success || e is { Success: false }) { failures.Add(new(field, $"'{start}'-'{end}' is not a range of HH:mm times.")); continue; }
                list.Add(new WorkingRange(s.Value, e?.Value));
            }
            week[day] = list;
        }
        var holidays = new List<LocalDate>();
        for (var i = 0; i < (Holidays?.Count ?? 0); i++)
        {
            var parsed = LocalDatePattern.Iso.Parse(Holidays![i]);
            if (parsed.Success) holidays.Add(parsed.Value);
            else failures.Add(new($"holidays[{i}]", $"'{Holidays[i]}' is not a date (YYYY-MM-DD)."));
        }
        if (failures.Count > 0 || zone is null) return BusinessCalendar.TwentyFourSeven;
        try
        {
            return BusinessCalendar.Create(zone, week, holidays);
        }
        catch (ArgumentException ex)
        {
            failures.Add(new("week", ex.Message));
            return BusinessCalendar.TwentyFourSeven;
        }
    }
}

/// <summary>Creates a calendar or adds a new version of it; running SLA cycles of open tickets are recomputed.</summary>
public sealed record PutCalendar(string Name, CalendarBody? Body) : ICommand<ConfigurationVersionDto>, IAdminOnly;

public sealed record ConfigurationVersionDto(string Name, int Version, Instant EffectiveFrom, int TicketsRecomputed);

public sealed class PutCalendarValidator : AbstractValidator<PutCalendar>
{
    public PutCalendarValidator()
    {
        RuleFor(c => c.Name).NotEmpty().MaximumLength(100).Matches("^[A-Za-z0-9_.-]+$").WithName("name");
        RuleFor(c => c.Body).NotNull().WithName("body");
        RuleFor(c => c.Body).Custom((body, context) =>
        {
            if (body is null) return;
            body.ToCalendar(out var failures);
            failures.ForEach(context.AddFailure);
        });
    }
}

public sealed class PutCalendarHandler(HelpDeskDbContext db, SlaConfigurationCache slaConfiguration, IClock clock, SlaRecomputation recomputation)
    : ICommandHandler<PutCalendar, ConfigurationVersionDto>
{
    public async ValueTask<ConfigurationVersionDto> Handle(PutCalendar command, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var calendar = command.Body!.ToCalendar(out _);
        var name = command.Name.ToLowerInvariant();
        var version = (await db.CalendarVersions.Where(c => c.Name == name).MaxAsync(c => (int?)c.Version, ct) ?? 0) + 1;
        db.CalendarVersions.Add(new BusinessCalendarVersion(Guid.CreateVersion7(), name, version, now, calendar));
        await db.SaveChangesAsync(ct);
        slaConfiguration.Invalidate();
        var recomputed = await recomputation.RecomputeOpenTicketsAsync(now, ct);
        return new ConfigurationVersionDto(name, version, now, recomputed);
    }
}
