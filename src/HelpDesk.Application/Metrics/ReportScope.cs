using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Application.Metrics;

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

/// <summary>
/// Which tickets a report covers, after authorisation: <see cref="TeamIds"/> (null: every team), <see cref="AgentId"/>
/// (the agent whose own figures these are), priority and channel.
/// </summary>
public sealed record ReportFilter(IReadOnlyList<Guid>? TeamIds, Guid? AgentId, Priority? Priority, string? Channel)
{
    public static readonly ReportFilter All = new(null, null, null, null);
}

/// <summary>
/// Resolves a report's filters and applies the rules of docs/reporting.md: figures always stay inside the teams the
/// caller can see (admin: all; lead and agent: their own teams), an agent gets only their own figures, and a team or
/// agent outside the caller's reach is 403. An unknown team or agent is a 400 naming the parameter.
/// </summary>
public sealed class ReportScope(HelpDeskDbContext db, Caller caller)
{
    public async Task<ReportFilter> ResolveAsync(string? team, string? agent, string? priority, string? channel, CancellationToken ct)
    {
        var me = await caller.AgentAsync(ct);
        var teams = await caller.VisibleTeamsAsync(ct);
        if (team is { Length: > 0 })
        {
            var teamId = await TeamIdAsync(team, ct);
            if (teams is not null && !teams.Contains(teamId)) throw new ForbiddenException($"You may not see the figures of team '{team}'.");
            teams = [teamId];
        }

        Guid? agentId = null;
        if (agent is { Length: > 0 })
        {
            var target = await AgentAsync(agent, ct);
            if (me is not null && target.Id != me.Id
                && (me.Role == AgentRole.Agent || (me.Role == AgentRole.Lead && !target.TeamIds.Any(me.IsMemberOf))))
                throw new ForbiddenException($"You may not see the figures of agent '{agent}'.");
            agentId = target.Id;
        }
        if (me is { Role: AgentRole.Agent }) agentId = me.Id;

        return new ReportFilter(teams, agentId,
            Vocabulary.TryPriority(priority, out var p) ? p : null,
            string.IsNullOrWhiteSpace(channel) ? null : channel.Trim().ToLowerInvariant());
    }

    public async Task<Guid> TeamIdAsync(string team, CancellationToken ct)
    {
        var name = team.Trim().ToLowerInvariant();
        Guid? id = Guid.TryParse(team, out var g)
            ? await db.Teams.Where(t => t.Id == g).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(ct)
            : await db.Teams.Where(t => t.Name == name).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(ct);
        return id ?? throw Invalid("team", $"no team '{team}'.");
    }

    /// <summary>An agent by id or e-mail; null when there is none.</summary>
    public async Task<Agent?> FindAgentAsync(string agent, CancellationToken ct)
    {
        if (Guid.TryParse(agent, out var id)) return await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        if (!EmailAddress.IsValid(agent)) return null;
        var email = EmailAddress.Normalise(agent);
        return await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Email == email, ct);
    }

    private async Task<Agent> AgentAsync(string agent, CancellationToken ct) =>
        await FindAgentAsync(agent, ct) ?? throw Invalid("agent", $"no agent '{agent}'.");

    public static ValidationException Invalid(string field, string message) => new([new ValidationFailure(field, $"'{field}': {message}")]);
}
