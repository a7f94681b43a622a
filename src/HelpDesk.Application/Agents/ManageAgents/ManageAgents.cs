using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Agents.ChangePassword;
using HelpDesk.Application.Agents.CreateAgent;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Teams.CreateTeam;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Teams;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Agents.ManageAgents;

/// <summary>
/// The agents the caller may know (<see cref="Caller.MayKnowAsync"/>): admins every agent, leads those sharing a team. Agents
/// are refused (the list is a lead's and admin's tool).
/// </summary>
public sealed record GetAgents : IQuery<IReadOnlyList<AgentDto>>, ILeadOnly;

/// <summary>One agent, if the caller may know them (else not found).</summary>
public sealed record GetAgent(string Email) : IQuery<AgentDto>, ILeadOnly;

/// <summary>The teams: admins every team, leads their own.</summary>
public sealed record GetTeams : IQuery<IReadOnlyList<TeamDto>>, ILeadOnly;

/// <summary>Renames an agent and sets their role and teams (<c>PUT /api/v1/agents/{email}</c>); <see cref="IfMatch"/> as <see cref="EntityTags"/>.</summary>
public sealed record UpdateAgent(string Email, string? Name, string? Role, IReadOnlyList<string>? Teams, string? IfMatch = null) : ICommand<AgentDto>, IAdminOnly;

/// <summary>What happens to the open tickets of a deactivated agent: back to the team's queue, or to another agent.</summary>
public enum TicketHandback { Unassign, Reassign }

/// <summary>
/// Deactivates an agent (<c>POST /api/v1/agents/{email}/deactivate</c>): in one unit of work the agent becomes inactive,
/// every session ends and every token is revoked; then their open tickets are handed back one by one through
/// <see cref="TicketChanges"/>: unassigned, or reassigned to <see cref="ReassignTo"/> where that agent is in the ticket's team
/// (unassigned where not). The host closes their open console connections at once.
/// </summary>
public sealed record DeactivateAgent(string Email, string? Tickets, string? ReassignTo, string? IfMatch = null) : ICommand<Deactivated>, IAdminOnly;

public sealed record Deactivated(AgentDto Agent, Guid AgentId, int SessionsEnded, int TokensRevoked, int TicketsUnassigned, int TicketsReassigned);

/// <summary>The operator sets an agent's password (<c>helpdesk agents set-password</c>) when nobody can sign in; their sessions end.</summary>
public sealed record SetAgentPassword(string? Email, string? Password, bool MustChange) : ICommand<PasswordChanged>, IAdminOnly;

public sealed class UpdateAgentValidator : AbstractValidator<UpdateAgent>
{
    public UpdateAgentValidator(HelpDeskDbContext db)
    {
        RuleFor(c => c.Name).NotEmpty().StoredAs(db, (Agent a) => a.Name);
        RuleFor(c => c.Role).Must(r => Vocabulary.TryRole(r, out _)).WithMessage($"'role' must be one of {Vocabulary.ListOf(Vocabulary.RoleNames)}.");
        RuleFor(c => c.Teams).NotNull().WithName("teams");
        RuleForEach(c => c.Teams).StoredAs(db, (Team t) => t.Name).OverridePropertyName("teams");
    }
}

public sealed class DeactivateAgentValidator : AbstractValidator<DeactivateAgent>
{
    public DeactivateAgentValidator()
    {
        RuleFor(c => c.Tickets).Must(t => Enum.TryParse<TicketHandback>(t, ignoreCase: true, out _))
            .WithMessage("'tickets' must be unassign or reassign.");
        RuleFor(c => c.ReassignTo).Must(EmailAddress.IsValid).WithMessage("'reassignTo' must be an agent's e-mail address when tickets are reassigned.")
            .When(c => string.Equals(c.Tickets, nameof(TicketHandback.Reassign), StringComparison.OrdinalIgnoreCase));
    }
}

public sealed class SetAgentPasswordValidator : AbstractValidator<SetAgentPassword>
{
    public SetAgentPasswordValidator()
    {
        RuleFor(c => c.Email).Must(EmailAddress.IsValid).WithMessage("'email' must be an e-mail address.");
        RuleFor(c => c.Password).NotEmpty().WithName("password");
        RuleFor(c => c.Password!).Password().WithName("password").When(c => !string.IsNullOrEmpty(c.Password));
    }
}

public sealed class ManageAgentsHandler(HelpDeskDbContext db, Caller caller, Sessions sessions, TicketChanges changes, IClock clock) :
    IQueryHandler<GetAgents, IReadOnlyList<AgentDto>>, IQueryHandler<GetAgent, AgentDto>, IQueryHandler<GetTeams, IReadOnlyList<TeamDto>>,
    ICommandHandler<UpdateAgent, AgentDto>, ICommandHandler<DeactivateAgent, Deactivated>, ICommandHandler<SetAgentPassword, PasswordChanged>
{
    public async ValueTask<IReadOnlyList<AgentDto>> Handle(GetAgents query, CancellationToken ct)
    {
        var teams = await db.Teams.AsNoTracking().ToListAsync(ct);
        var agents = await db.Agents.AsNoTracking().OrderBy(a => a.Email).ToListAsync(ct);
        var known = new List<AgentDto>();
        foreach (var agent in agents)
            if (await caller.MayKnowAsync(agent, ct)) known.Add(AgentDto.From(agent, teams));
        return known;
    }

    public async ValueTask<AgentDto> Handle(GetAgent query, CancellationToken ct) =>
        AgentDto.From(await KnownAsync(query.Email, tracked: false, ct), await db.Teams.AsNoTracking().ToListAsync(ct));

    public async ValueTask<IReadOnlyList<TeamDto>> Handle(GetTeams query, CancellationToken ct)
    {
        var visible = await caller.VisibleTeamsAsync(ct);
        var teams = db.Teams.AsNoTracking();
        if (visible is not null) teams = teams.Where(t => visible.Contains(t.Id));
        return await teams.OrderBy(t => t.Name).Select(t => new TeamDto(t.Name, t.DisplayName)).ToListAsync(ct);
    }

    public async ValueTask<AgentDto> Handle(UpdateAgent command, CancellationToken ct)
    {
        var agent = await KnownAsync(command.Email, tracked: true, ct);
        EntityTags.Require(command.IfMatch, agent.Version, $"Agent {agent.Email}");
        var names = command.Teams!.Select(t => t.Trim().ToLowerInvariant()).Distinct().ToList();
        var teams = await db.Teams.AsNoTracking().ToListAsync(ct);
        if (names.FirstOrDefault(n => teams.All(t => t.Name != n)) is { } missing)
            throw new ValidationException([new ValidationFailure("teams", $"There is no team '{missing}'.")]);
        var me = await caller.AgentAsync(ct);
        var role = Vocabulary.ParseRole(command.Role!);
        // An admin who demotes themself could leave the desk without anyone to configure it.
        if (me?.Id == agent.Id && role != AgentRole.Admin)
            throw new DomainRuleViolation("agent.self_demotion", "Admins cannot take away their own admin role; ask another admin.");
        agent.Change(command.Name!, role, teams.Where(t => names.Contains(t.Name)).Select(t => t.Id));
        await db.SaveChangesAsync(ct);
        return AgentDto.From(agent, teams);
    }

    public async ValueTask<Deactivated> Handle(DeactivateAgent command, CancellationToken ct)
    {
        var known = await KnownAsync(command.Email, tracked: false, ct);
        EntityTags.Require(command.IfMatch, known.Version, $"Agent {known.Email}");
        if ((await caller.AgentAsync(ct))?.Id == known.Id)
            throw new DomainRuleViolation("agent.self_deactivation", "Admins cannot deactivate themselves; ask another admin.");
        var handback = Enum.Parse<TicketHandback>(command.Tickets!, ignoreCase: true);
        Agent? successor = null;
        if (handback == TicketHandback.Reassign)
        {
            successor = await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Email == EmailAddress.Normalise(command.ReassignTo!) && a.IsActive, ct);
            if (successor is null || successor.Id == known.Id)
                throw new ValidationException([new ValidationFailure("reassignTo", $"There is no other active agent '{command.ReassignTo}'.")]);
        }
        var now = clock.GetCurrentInstant();
        // The unit of work starts with an empty change tracker, so the agent is loaded (and its version checked) inside it.
        var (agent, ended, revoked) = await db.InTransactionAsync(async ct =>
        {
            var agent = await db.Agents.SingleAsync(a => a.Id == known.Id, ct);
            if (agent.Version != known.Version) throw new DbUpdateConcurrencyException($"Agent {agent.Email} changed meanwhile.");
            agent.Deactivate();
            var tokens = await db.ApiTokens.Where(t => t.AgentId == agent.Id && t.RevokedAt == null).ToListAsync(ct);
            tokens.ForEach(t => t.RevokedAt = now);
            await db.SaveChangesAsync(ct);
            return (agent, await sessions.EndAllAsync(agent.Id, except: null, ct), tokens.Count);
        }, ct);

        var open = await db.Tickets.AsNoTracking().Where(t => t.AssigneeId == agent.Id && t.Status != TicketStatus.Closed)
            .OrderBy(t => t.Number).Select(t => new { t.Number, t.TeamId }).ToListAsync(ct);
        var (unassigned, reassigned) = (0, 0);
        foreach (var ticket in open)
        {
            var to = successor is not null && successor.IsMemberOf(ticket.TeamId) ? successor : null;
            await changes.ApplyAsync(ticket.Number, c =>
            {
                if (to is null) c.Ticket.Unassign(c.Actor, c.Now);
                else c.Ticket.Assign(to, c.Actor, c.Now);
            }, ct);
            if (to is null) unassigned++;
            else reassigned++;
        }
        var teams = await db.Teams.AsNoTracking().ToListAsync(ct);
        return new Deactivated(AgentDto.From(agent, teams), agent.Id, ended, revoked, unassigned, reassigned);
    }

    public async ValueTask<PasswordChanged> Handle(SetAgentPassword command, CancellationToken ct)
    {
        var agent = await KnownAsync(command.Email!, tracked: false, ct);
        return await ChangePasswordHandler.SetAsync(db, sessions, agent.Id, command.Password!, command.MustChange, clock.GetCurrentInstant(), null, ct);
    }

    private async Task<Agent> KnownAsync(string email, bool tracked, CancellationToken ct)
    {
        var agents = tracked ? db.Agents : db.Agents.AsNoTracking();
        var normalised = EmailAddress.IsValid(email) ? EmailAddress.Normalise(email) : "";
        return await caller.KnownOrNullAsync(await agents.SingleOrDefaultAsync(a => a.Email == normalised, ct), ct)
               ?? throw new NotFoundException($"There is no agent '{email}'.");
    }
}
