using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Common;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Application.Reporting;

/// <summary>
/// A reporting period: <see cref="From"/> to <see cref="To"/> inclusive, local dates in the viewer's zone, so
/// "1 to 31 March" in Berlin is [1 March 00:00 Berlin, 1 April 00:00 Berlin).
/// </summary>
public sealed record ReportPeriod(LocalDate From, LocalDate To, DateTimeZone Zone)
{
    public Instant Start => From.AtStartOfDayInZone(Zone).ToInstant();
    public Instant End => To.PlusDays(1).AtStartOfDayInZone(Zone).ToInstant();

    public static bool TryDate(string? text, out LocalDate date)
    {
        var result = LocalDatePattern.Iso.Parse(text?.Trim() ?? "");
        date = result.Success ? result.Value : default;
        return result.Success;
    }

    public static DateTimeZone? ZoneOf(string? id) =>
        id is not { Length: > 0 } ? DateTimeZone.Utc : DateTimeZoneProviders.Tzdb.GetZoneOrNull(id.Trim());

    /// <summary>The period of values the validator accepted.</summary>
    public static ReportPeriod Of(string? from, string? to, string? tz)
    {
        TryDate(from, out var start);
        TryDate(to, out var end);
        return new ReportPeriod(start, end, ZoneOf(tz)!);
    }
}

/// <summary>Validation and resolution of the filters every report takes (period, team, agent), in one place.</summary>
public static class ReportFilters
{
    /// <summary>from, to (YYYY-MM-DD, from ≤ to) and tz (an IANA zone id; UTC when absent), each failure naming its field.</summary>
    public static void PeriodRules<T>(this AbstractValidator<T> v, Func<T, string?> from, Func<T, string?> to, Func<T, string?> tz)
    {
        v.RuleFor(q => from(q))
            .Must(f => ReportPeriod.TryDate(f, out _)).WithMessage("'from' must be a date YYYY-MM-DD.")
            .OverridePropertyName("From");
        v.RuleFor(q => to(q))
            .Must(t => ReportPeriod.TryDate(t, out _)).WithMessage("'to' must be a date YYYY-MM-DD.")
            .Must((q, t) => !ReportPeriod.TryDate(from(q), out var f) || !ReportPeriod.TryDate(t, out var d) || d >= f)
            .WithMessage("'to' must not be before 'from'.")
            .OverridePropertyName("To");
        v.RuleFor(q => tz(q))
            .Must(z => ReportPeriod.ZoneOf(z) is not null).WithMessage("'tz' must be an IANA time zone id such as Europe/Berlin.")
            .OverridePropertyName("Tz");
    }

    /// <summary>
    /// The teams a report may cover: the caller's visible teams, narrowed to <paramref name="team"/> (an id or a name)
    /// when given. Null means every team (an admin without a filter). An unknown team is a 400 naming <c>team</c>; a
    /// lead asking for a team that is not theirs gets 403.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>?> TeamsAsync(HelpDeskDbContext db, Caller caller, string? team, CancellationToken ct)
    {
        var visible = await caller.VisibleTeamsAsync(ct);
        if (team is not { Length: > 0 }) return visible;
        var name = team.Trim().ToLowerInvariant();
        var id = Guid.TryParse(name, out var g)
            ? await db.Teams.Where(t => t.Id == g).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(ct)
            : await db.Teams.Where(t => t.Name == name).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(ct);
        if (id is not { } teamId) throw Invalid("Team", $"There is no team '{team}'.");
        if (visible is not null && !visible.Contains(teamId)) throw new ForbiddenException("You may only see the reports of your own teams.");
        return [teamId];
    }

    /// <summary>The agent named by id or e-mail; an unknown one is a 400 naming <c>agent</c>. Null when not given.</summary>
    public static async Task<Guid?> AgentAsync(HelpDeskDbContext db, string? agent, CancellationToken ct)
    {
        if (agent is not { Length: > 0 }) return null;
        var id = Guid.TryParse(agent.Trim(), out var g)
            ? await db.Agents.Where(a => a.Id == g).Select(a => (Guid?)a.Id).SingleOrDefaultAsync(ct)
            : await db.Agents.Where(a => a.Email == EmailAddress.Normalise(agent)).Select(a => (Guid?)a.Id).SingleOrDefaultAsync(ct);
        return id ?? throw Invalid("Agent", $"There is no agent '{agent}'.");
    }

    private static ValidationException Invalid(string field, string message) => new([new ValidationFailure(field, message)]);
}
