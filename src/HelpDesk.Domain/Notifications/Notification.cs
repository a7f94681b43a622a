using NodaTime;

namespace HelpDesk.Domain.Notifications;

/// <summary>
/// Something an agent, a team's lead or a whole team must know (SLA warning, breach, escalation, assignment).
/// Recorded here; the console and e-mail deliver it.
/// </summary>
public sealed class Notification
{
    private Notification() { Kind = ""; Message = ""; }

    public Notification(Guid id, string kind, Guid? agentId, Guid? teamId, Guid? ticketId, int? ticketNumber, string message, Instant createdAt)
    {
        if (agentId is null && teamId is null) throw new ArgumentException("A notification needs an agent or a team.");
        Id = id;
        Kind = kind;
        AgentId = agentId;
        TeamId = teamId;
        TicketId = ticketId;
        TicketNumber = ticketNumber;
        Message = message;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }
    /// <summary><c>sla.warning</c>, <c>sla.breached</c>, <c>escalation</c>, <c>assignment</c>.</summary>
    public string Kind { get; private set; }
    /// <summary>The agent it is for; null when it is for the whole team.</summary>
    public Guid? AgentId { get; private set; }
    public Guid? TeamId { get; private set; }
    public Guid? TicketId { get; private set; }
    public int? TicketNumber { get; private set; }
    public string Message { get; private set; }
    public Instant CreatedAt { get; private set; }
    public Instant? ReadAt { get; private set; }

    public void MarkRead(Instant now) => ReadAt ??= now;
}
