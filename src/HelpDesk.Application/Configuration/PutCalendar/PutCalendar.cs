using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Application.Sla.Format;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Sla;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Configuration.PutCalendar;

/// <summary>
/// The calendar as the API takes it, in the vocabulary of sla.md: an IANA zone, per weekday a list of
/// <c>["09:00","17:00"]</c> ranges (<c>24:00</c> allowed as an end; weekdays not listed are off), holiday dates;
/// or <c>"twentyFourSeven": true</c>.
/// </summary>
public sealed record CalendarBody(string? TimeZone, Dictionary<string, List<List<string>>>? Week, List<string>? Holidays, bool TwentyFourSeven = false)
{
    /// <summary>The calendar as the API shows it: what a PUT of it would store again.</summary>
    public static CalendarBody From(BusinessCalendar c) => c.IsAlwaysOpen
        ? new(null, null, null, TwentyFourSeven: true)
        : new(c.Zone.Id,
            c.Week.Where(kv => kv.Value.Count > 0).OrderBy(kv => kv.Key)
                .ToDictionary(kv => CalendarFormat.DayName(kv.Key), kv => kv.Value.Select(r => CalendarFormat.FormatRange(r).ToList()).ToList()),
            c.Holidays.Order().Select(d => d.ToString("uuuu-MM-dd", null)).ToList());

    /// <summary>Builds the calendar, or lists what is wrong with the field names of the request.</summary>
    public BusinessCalendar ToCalendar(out List<ValidationFailure> failures)
    {
        failures = [];
        if (TwentyFourSeven) return BusinessCalendar.TwentyFourSeven;
        var errors = new List<FieldError>();
        var calendar = CalendarFormat.Parse(TimeZone, (Week ?? []).Select(kv => (kv.Key, (IReadOnlyList<IReadOnlyList<string>>)kv.Value)), Holidays ?? [], errors);
        failures.AddRange(errors.Select(e => new ValidationFailure(e.Field, e.Message)));
        return calendar ?? BusinessCalendar.TwentyFourSeven;
    }
}

/// <summary>Creates a calendar or adds a new version of it; running SLA cycles of open tickets are recomputed.</summary>
/// <param name="IfMatch">The entity tag the client read (<see cref="EntityTags"/>); a stale one is refused with 412.</param>
public sealed record PutCalendar(string Name, CalendarBody? Body, string? IfMatch = null) : ICommand<ConfigurationVersionDto>, IAdminOnly;

public sealed record ConfigurationVersionDto(string Name, int Version, Instant EffectiveFrom, int TicketsRecomputed);

public sealed class PutCalendarValidator : AbstractValidator<PutCalendar>
{
    public PutCalendarValidator(HelpDeskDbContext db)
    {
        RuleFor(c => c.Name).NotEmpty().StoredAs(db, (BusinessCalendarVersion c) => c.Name).Matches("^[A-Za-z0-9_.-]+$").WithName("name");
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
        var current = await db.CalendarVersions.Where(c => c.Name == name).MaxAsync(c => (int?)c.Version, ct);
        EntityTags.Require(command.IfMatch, current, $"Calendar '{name}'");
        var version = (current ?? 0) + 1;
        db.CalendarVersions.Add(new BusinessCalendarVersion(Guid.CreateVersion7(), name, version, now, calendar));
        await db.SaveChangesAsync(ct);
        slaConfiguration.Invalidate();
        var recomputed = await recomputation.RecomputeOpenTicketsAsync(now, ct);
        return new ConfigurationVersionDto(name, version, now, recomputed);
    }
}
