using NodaTime;

namespace HelpDesk.Domain.Tickets;

/// <summary>Kinds of entries in a ticket's history. The SLA ledger is derived from these.</summary>
public enum TicketChangeKind
{
    Created = 0,
    PublicAgentReply = 1,
    InternalNote = 2,
    CustomerMessage = 3,
    AutoReply = 4,
    Bounce = 5,
    StatusChanged = 6,
    PriorityChanged = 7,
    Assigned = 8,
    TeamChanged = 9,
    TagAdded = 10,
    TagRemoved = 11,
    ParticipantAdded = 12,
    SlaPolicyApplied = 13,
    SystemNote = 14,
}

/// <summary>
/// One immutable line of a ticket's history: who did what, when, and the value before and after.
/// Values are the invariant names of enums or ids (e.g. <c>Pending</c>, an agent id), so the history can be replayed.
/// </summary>
public sealed class TicketChange
{
    private TicketChange() { }

    internal TicketChange(Guid id, Instant at, TicketChangeKind kind, Actor actor, string? from, string? to)
    {
        Id = id;
        At = at;
        Kind = kind;
        ActorType = actor.Type;
        ActorId = actor.Id;
        From = from;
        To = to;
    }

    public Guid Id { get; private set; }
    /// <summary>Position in the ticket's history; instants can tie, the sequence never does.</summary>
    public int Sequence { get; internal set; }
    public Instant At { get; private set; }
    public TicketChangeKind Kind { get; private set; }
    public AuthorType ActorType { get; private set; }
    public Guid? ActorId { get; private set; }
    public string? From { get; private set; }
    public string? To { get; private set; }
}

/// <summary>Who makes a change: an agent, the customer or the system (escalation, mail processing).</summary>
public readonly record struct Actor(AuthorType Type, Guid? Id, string Name, string? Email)
{
    public static Actor System { get; } = new(AuthorType.System, null, "System", null);

    public static Actor ForAgent(Guid id, string name, string email) => new(AuthorType.Agent, id, name, email);

    public static Actor ForCustomer(Guid id, string name, string email) => new(AuthorType.Customer, id, name, email);
}
