using System.Security.Claims;
using HelpDesk.Application.AgentConsole;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Web.AgentConsole;

/// <summary>What the hub calls on console clients.</summary>
public interface IConsoleClient
{
    /// <summary>A stream event: <c>{ stream, seq, type, ticket, at, data }</c>.</summary>
    Task Event(object e);
    /// <summary>Who views and who types on a ticket, as a whole list (idempotent, so order across nodes does not matter).</summary>
    Task Presence(int ticket, IReadOnlyList<PresenceDto> viewers);
}

/// <summary>Group names. A connection is in its teams' groups, its agent group, and the group of the ticket it views.</summary>
public static class ConsoleGroups
{
    public static string Team(string name) => $"team:{name}";
    public static string Agent(string email) => $"agent:{email}";
    public static string Ticket(int number) => $"ticket:{number}";
}

/// <summary>This process's id in presence rows (several nodes may serve consoles over one database).</summary>
public sealed class ConsoleNode
{
    public string Id { get; } = $"{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>
    /// Presence lists are read and pushed under this lock, so on this node the last list a client receives was read
    /// last and is never overtaken by an older one. Lists from other nodes may still cross; clients re-read on heartbeat.
    /// </summary>
    public SemaphoreSlim PresenceLock { get; } = new(1, 1);

    public async Task<IReadOnlyList<PresenceDto>> PushPresenceAsync(IConsoleClient group, ConsolePresenceStore store, int ticket, CancellationToken ct)
    {
        await PresenceLock.WaitAsync(ct);
        try
        {
            var viewers = await store.OnTicketAsync(ticket, ct);
            await group.Presence(ticket, viewers);
            return viewers;
        }
        finally
        {
            PresenceLock.Release();
        }
    }
}

/// <summary>
/// The console hub. Every membership is decided here on the server from the agent's teams: a client can ask to view
/// a ticket or join a team, never name a group of its own. Presence lives in the database (<see cref="ConsolePresenceStore"/>).
/// </summary>
[Authorize(AuthenticationSchemes = AuthSchemes.Either)]
public sealed class ConsoleHub(HelpDeskDbContext db, ConsolePresenceStore presence, ConsoleNode node, Sessions sessions, ConsoleConnections connections)
    : Hub<IConsoleClient>
{
    public const string Path = "/hubs/console";

    /// <summary>The streams this connection receives, with their current heads, so the client knows where it stands.</summary>
    public sealed record Welcome(string Agent, IReadOnlyList<string> Teams, IReadOnlyDictionary<string, long> Streams);

    public override async Task OnConnectedAsync()
    {
        var agent = await AgentAsync();
        // Known from here on, so that ending its session, revoking its token or deactivating its agent closes it.
        connections.Add(Context, AuthSchemes.CredentialOf(Context.User)!);
        foreach (var team in await TeamNamesAsync(agent))
            await Groups.AddToGroupAsync(Context.ConnectionId, ConsoleGroups.Team(team));
        await Groups.AddToGroupAsync(Context.ConnectionId, ConsoleGroups.Agent(agent.Email));
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context.ConnectionId);
        if (await presence.LeaveAsync(Context.ConnectionId, CancellationToken.None) is { } ticket)
            await BroadcastPresenceAsync(ticket);
        await base.OnDisconnectedAsync(exception);
    }

    /// <summary>The streams (and their heads) this connection is subscribed to.</summary>
    public async Task<Welcome> Hello()
    {
        var agent = await AgentAsync();
        var teams = await TeamNamesAsync(agent);
        var streams = teams.Select(ConsoleStreamNames.Team).Append(ConsoleStreamNames.Agent(agent.Email)).ToList();
        var heads = await db.Set<ConsoleStreamHead>().AsNoTracking().Where(h => streams.Contains(h.Stream)).ToDictionaryAsync(h => h.Stream, h => h.LastSequence);
        return new Welcome(agent.Email, teams, streams.ToDictionary(s => s, s => heads.GetValueOrDefault(s)));
    }

    /// <summary>Joins a team's group; refused unless the agent is a member (admins: any team).</summary>
    public async Task JoinTeam(string team)
    {
        var agent = await AgentAsync();
        var teamId = await db.Teams.Where(t => t.Name == team).Select(t => (Guid?)t.Id).SingleOrDefaultAsync();
        if (teamId is null || !agent.CanWorkOn(teamId.Value)) throw new HubException($"You are not a member of team '{team}'.");
        await Groups.AddToGroupAsync(Context.ConnectionId, ConsoleGroups.Team(team));
    }

    /// <summary>
    /// Starts viewing a ticket (leaving the one viewed before); returns its viewers. Refused for other teams' tickets.
    /// The list is also pushed to the ticket's group (this connection included); clients render the pushes, which are ordered.
    /// </summary>
    public async Task<IReadOnlyList<PresenceDto>> ViewTicket(int number)
    {
        var agent = await AgentAsync();
        var teamId = await db.Tickets.Where(t => t.Number == number).Select(t => (Guid?)t.TeamId).SingleOrDefaultAsync();
        if (teamId is null || !agent.CanWorkOn(teamId.Value)) throw new HubException($"Ticket #{number} was not found.");
        var changed = await presence.ViewAsync(Context.ConnectionId, node.Id, agent, number, Context.ConnectionAborted);
        foreach (var other in changed.Where(n => n != number))
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, ConsoleGroups.Ticket(other));
            await BroadcastPresenceAsync(other);
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, ConsoleGroups.Ticket(number));
        return await BroadcastPresenceAsync(number);
    }

    public async Task LeaveTicket()
    {
        if (await presence.LeaveAsync(Context.ConnectionId, Context.ConnectionAborted) is { } ticket)
        {
            await Groups.RemoveFromGroupAsync(Context.ConnectionId, ConsoleGroups.Ticket(ticket));
            await BroadcastPresenceAsync(ticket);
        }
    }

    /// <summary>Typing started or stopped on the ticket this connection views.</summary>
    public async Task Typing(int number, bool typing)
    {
        if (await presence.TypingAsync(Context.ConnectionId, number, typing, Context.ConnectionAborted))
            await BroadcastPresenceAsync(number);
    }

    /// <summary>Keeps this connection's presence alive; false when it expired (the client views the ticket again).</summary>
    public Task<bool> Heartbeat() => presence.HeartbeatAsync(Context.ConnectionId, Context.ConnectionAborted);

    private async Task<IReadOnlyList<PresenceDto>> BroadcastPresenceAsync(int number)
    {
        return await node.PushPresenceAsync(Clients.Group(ConsoleGroups.Ticket(number)), presence, number, CancellationToken.None);
    }

    private async Task<Agent> AgentAsync()
    {
        // Not through ICurrentAgent: outside an HTTP request that would resolve to the all-powerful system caller.
        var id = Guid.TryParse(Context.User?.FindFirstValue(ClaimTypes.NameIdentifier), out var g) ? g : Guid.Empty;
        var agent = await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id);
        if (agent is not { IsActive: true }) throw new HubException("Your agent account is not active.");
        // Every call re-checks the credential the connection was opened with: a revoked one closes the connection.
        if (AuthSchemes.CredentialOf(Context.User) is not { } credential || !await sessions.IsLiveAsync(credential, Context.ConnectionAborted))
        {
            Context.Abort();
            throw new HubException("Your session has ended.");
        }
        return agent;
    }

    private async Task<List<string>> TeamNamesAsync(Agent agent)
    {
        var teams = db.Teams.AsNoTracking();
        if (agent.Role != AgentRole.Admin)
        {
            var ids = agent.TeamIds.ToList();
            teams = teams.Where(t => ids.Contains(t.Id));
        }
        return await teams.OrderBy(t => t.Name).Select(t => t.Name).ToListAsync();
    }
}
