using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.AgentConsole;

/// <summary>Who is on a ticket: a viewer, and whether they are typing a reply.</summary>
public sealed record PresenceDto(string AgentEmail, string AgentName, bool Typing);

/// <summary>
/// Presence kept in the database (one row per connection and ticket) so that every node sees viewers connected to any
/// node. A connection refreshes its rows with heartbeats; rows not refreshed within <see cref="Ttl"/> are dropped.
/// </summary>
public sealed class ConsolePresenceStore(HelpDeskDbContext db, IClock clock)
{
    public static readonly Duration Ttl = Duration.FromSeconds(45);

    private DbSet<ConsolePresence> Rows => db.Set<ConsolePresence>();

    /// <summary>Records that the connection views <paramref name="ticketNumber"/> (a connection views one ticket at a time); returns tickets whose presence changed.</summary>
    public async Task<IReadOnlyList<int>> ViewAsync(string connectionId, string nodeId, Agent agent, int ticketNumber, CancellationToken ct)
    {
        var row = await Rows.SingleOrDefaultAsync(p => p.ConnectionId == connectionId, ct);
        var changed = new List<int> { ticketNumber };
        if (row is null)
        {
            row = new ConsolePresence { ConnectionId = connectionId };
            Rows.Add(row);
        }
        else if (row.TicketNumber != ticketNumber)
        {
            changed.Add(row.TicketNumber);
        }
        row.NodeId = nodeId;
        row.AgentId = agent.Id;
        row.AgentName = agent.Name;
        row.AgentEmail = agent.Email;
        row.TicketNumber = ticketNumber;
        row.IsTyping = false;
        row.ExpiresAt = clock.GetCurrentInstant() + Ttl;
        await db.SaveChangesAsync(ct);
        return changed;
    }

    /// <summary>Sets the typing flag of the connection's row on <paramref name="ticketNumber"/>; false when it does not view that ticket.</summary>
    public async Task<bool> TypingAsync(string connectionId, int ticketNumber, bool typing, CancellationToken ct) =>
        await Rows.Where(p => p.ConnectionId == connectionId && p.TicketNumber == ticketNumber)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.IsTyping, typing).SetProperty(p => p.ExpiresAt, clock.GetCurrentInstant() + Ttl), ct) > 0;

    /// <summary>Extends the connection's row; false when it has none (expired and swept: the caller views again).</summary>
    public async Task<bool> HeartbeatAsync(string connectionId, CancellationToken ct) =>
        await Rows.Where(p => p.ConnectionId == connectionId)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.ExpiresAt, clock.GetCurrentInstant() + Ttl), ct) > 0;

    /// <summary>Removes the connection's row; returns the ticket it was on, if any.</summary>
    public async Task<int?> LeaveAsync(string connectionId, CancellationToken ct)
    {
        var ticket = await Rows.Where(p => p.ConnectionId == connectionId).Select(p => (int?)p.TicketNumber).SingleOrDefaultAsync(ct);
        if (ticket is null) return null;
        await Rows.Where(p => p.ConnectionId == connectionId).ExecuteDeleteAsync(ct);
        return ticket;
    }

    /// <summary>Deletes expired rows (dropped connections, dead nodes); returns the tickets whose presence changed.</summary>
    public async Task<IReadOnlyList<int>> SweepAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var tickets = await Rows.Where(p => p.ExpiresAt <= now).Select(p => p.TicketNumber).Distinct().ToListAsync(ct);
        if (tickets.Count > 0) await Rows.Where(p => p.ExpiresAt <= now).ExecuteDeleteAsync(ct);
        return tickets;
    }

    /// <summary>Live viewers of a ticket, one entry per agent (typing wins when one of their tabs types).</summary>
    public async Task<IReadOnlyList<PresenceDto>> OnTicketAsync(int ticketNumber, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var rows = await Rows.AsNoTracking().Where(p => p.TicketNumber == ticketNumber && p.ExpiresAt > now)
            .Select(p => new { p.AgentEmail, p.AgentName, p.IsTyping }).ToListAsync(ct);
        return rows.GroupBy(r => r.AgentEmail).OrderBy(g => g.Key)
            .Select(g => new PresenceDto(g.Key, g.First().AgentName, g.Any(r => r.IsTyping))).ToList();
    }
}
