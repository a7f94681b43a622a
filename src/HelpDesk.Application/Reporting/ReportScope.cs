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

using HelpDesk.Application.Reporting;

namespace HelpDesk.Application.Reporting;

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
/// agent outside the caller's reach is 403. An unknown team or agent is a 400 naming the parameter, and so is an agent of
/// a team the caller shares none with (<see cref="Caller.MayKnowAsync"/>: addresses of other teams do not leak).
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

    /// <summary>
    /// The teams a lead's or admin's report covers: the caller's visible teams (null: every team), narrowed to
    /// <paramref name="team"/> (an id or a name) when given; a team that is not theirs is 403.
    /// </summary>
    public async Task<IReadOnlyList<Guid>?> TeamsAsync(string? team, CancellationToken ct)
    {
        var visible = await caller.VisibleTeamsAsync(ct);
        if (team is not { Length: > 0 }) return visible;
        var teamId = await TeamIdAsync(team, ct);
        if (visible is not null && !visible.Contains(teamId)) throw new ForbiddenException("You may only see the reports of your own teams.");
        return [teamId];
    }

    /// <summary>The agent named by id or e-mail (null when not given); an unknown one is a 400 naming <c>agent</c>.</summary>
    public async Task<Guid?> AgentIdAsync(string? agent, CancellationToken ct) =>
        agent is { Length: > 0 } ? (await AgentAsync(agent, ct)).Id : null;

    public async Task<Guid> TeamIdAsync(string team, CancellationToken ct)
    {
        var name = team.Trim().ToLowerInvariant();
        Guid? id = Guid.TryParse(team, out var g)
            ? await db.Teams.Where(t => t.Id == g).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(ct)
            : await db.Teams.Where(t => t.Name == name).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(ct);
        return id ?? throw Invalid("Team", $"no team '{team}'.");
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
        await caller.KnownOrNullAsync(await FindAgentAsync(agent, ct), ct) ?? throw Invalid("Agent", $"no agent '{agent}'.");

    public static ValidationException Invalid(string field, string message) =>
        new([new ValidationFailure(field, $"'{char.ToLowerInvariant(field[0]) + field[1..]}': {message}")]);
}
