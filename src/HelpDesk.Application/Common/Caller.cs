using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Common;

/// <summary>
/// Resolves who is calling and answers "may they?". Agents see only their teams' tickets (others are reported as not
/// found, so ticket numbers of other teams do not leak); admins see all; the system (no agent) may do anything.
/// </summary>
public sealed class Caller(ICurrentAgent current, HelpDeskDbContext db)
{
    private Agent? _agent;

    /// <summary>The calling agent, or null for the system.</summary>
    public async Task<Agent?> AgentAsync(CancellationToken ct)
    {
        if (current.AgentId is not { } id) return null;
        _agent ??= await db.Agents.SingleOrDefaultAsync(a => a.Id == id, ct);
        if (_agent is not { IsActive: true }) throw new ForbiddenException("Your agent account is not active.");
        return _agent;
    }

    /// <summary>The calling agent; the system may not act where a person must (e.g. write a reply).</summary>
    public async Task<Agent> RequireAgentAsync(CancellationToken ct) =>
        await AgentAsync(ct) ?? throw new ForbiddenException("This action needs a signed-in agent.");

    public async Task<Actor> ActorAsync(CancellationToken ct) =>
        await AgentAsync(ct) is { } a ? Actor.ForAgent(a.Id, a.Name, a.Email) : Actor.System;

    public async Task RequireRoleAsync(AgentRole atLeast, CancellationToken ct)
    {
        var agent = await AgentAsync(ct);
        if (agent is not null && agent.Role < atLeast)
            throw new ForbiddenException($"This needs the {Vocabulary.Name(atLeast)} role.");
    }

    /// <summary>Team ids the caller may see; null means all.</summary>
    public async Task<IReadOnlyList<Guid>?> VisibleTeamsAsync(CancellationToken ct)
    {
        var agent = await AgentAsync(ct);
        return agent is null || agent.Role == AgentRole.Admin ? null : agent.TeamIds;
    }

    /// <summary>
    /// The ticket with this number from <paramref name="tickets"/> (shape the query — no tracking, includes — before),
    /// if the caller may see it; otherwise not found, whether it is missing or another team's.
    /// </summary>
    public async Task<Ticket> VisibleTicketAsync(IQueryable<Ticket> tickets, int number, CancellationToken ct)
    {
        var ticket = await tickets.SingleOrDefaultAsync(t => t.Number == number, ct)
            ?? throw new NotFoundException($"Ticket #{number} was not found.");
        await EnsureCanSeeAsync(ticket, ct);
        return ticket;
    }

    public async Task EnsureCanSeeAsync(Ticket ticket, CancellationToken ct)
    {
        var agent = await AgentAsync(ct);
        if (agent is not null && !agent.CanWorkOn(ticket.TeamId))
            throw new NotFoundException($"Ticket #{ticket.Number} was not found.");
    }

    /// <summary>
    /// Whether the caller may know that <paramref name="other"/> exists: the system, admins, the agent themself and
    /// members of a team they share. Others get the error an unknown agent gets, so addresses of other teams do not leak.
    /// </summary>
    public async Task<bool> MayKnowAsync(Agent other, CancellationToken ct) =>
        await AgentAsync(ct) is not { } me || me.Role == AgentRole.Admin || me.Id == other.Id || other.TeamIds.Any(me.IsMemberOf);

    /// <summary>The agents the caller may know (<see cref="MayKnowAsync"/>): <paramref name="agent"/>, or null when unknown to them.</summary>
    public async Task<Agent?> KnownOrNullAsync(Agent? agent, CancellationToken ct) =>
        agent is not null && await MayKnowAsync(agent, ct) ? agent : null;
}
