using NodaTime;

namespace HelpDesk.Application.AgentConsole;

/// <summary>
/// One console event as pushed to a stream (<c>team:support</c>, <c>agent:ann@example.test</c>). Kept so a console that
/// was disconnected can fetch what it missed: (stream, sequence) is unique and gap-free within a stream.
/// </summary>
public sealed class ConsoleEvent
{
    public Guid Id { get; set; }
    public string Stream { get; set; } = "";
    public long Sequence { get; set; }
    public string Type { get; set; } = "";
    public int? TicketNumber { get; set; }
    /// <summary>The event's data as JSON (what the hub pushed).</summary>
    public string Payload { get; set; } = "";
    public Instant At { get; set; }
}

/// <summary>The last sequence number handed out on a stream; incremented inside the appending transaction.</summary>
public sealed class ConsoleStreamHead
{
    public string Stream { get; set; } = "";
    public long LastSequence { get; set; }
}

/// <summary>
/// One console connection looking at a ticket (and maybe typing). Kept in the database so every node sees every
/// viewer; a row whose <see cref="ExpiresAt"/> passed belongs to a dropped connection or a dead node and is ignored and swept.
/// </summary>
public sealed class ConsolePresence
{
    public string ConnectionId { get; set; } = "";
    public string NodeId { get; set; } = "";
    public Guid AgentId { get; set; }
    public string AgentName { get; set; } = "";
    public string AgentEmail { get; set; } = "";
    public int TicketNumber { get; set; }
    public bool IsTyping { get; set; }
    public Instant ExpiresAt { get; set; }
}
