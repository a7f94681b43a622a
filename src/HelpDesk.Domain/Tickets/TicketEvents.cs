using NodaTime;

namespace HelpDesk.Domain.Tickets;

/// <summary>
/// Something that happened to a ticket, raised by the aggregate and published only after the change is committed
/// (console pushes, notifications, SLA rescheduling).
/// </summary>
public abstract record TicketEvent(Guid TicketId, int Number, Instant At)
{
    public sealed record Created(Guid TicketId, int Number, Instant At) : TicketEvent(TicketId, Number, At);
    public sealed record ArticleAdded(Guid TicketId, int Number, Instant At, Guid ArticleId, ArticleKind Kind, Visibility Visibility, AuthorType AuthorType) : TicketEvent(TicketId, Number, At);
    public sealed record StatusChanged(Guid TicketId, int Number, Instant At, TicketStatus From, TicketStatus To) : TicketEvent(TicketId, Number, At);
    public sealed record PriorityChanged(Guid TicketId, int Number, Instant At, Priority From, Priority To) : TicketEvent(TicketId, Number, At);
    public sealed record Assigned(Guid TicketId, int Number, Instant At, Guid? From, Guid? To) : TicketEvent(TicketId, Number, At);
    public sealed record TeamChanged(Guid TicketId, int Number, Instant At, Guid From, Guid To) : TicketEvent(TicketId, Number, At);
    public sealed record TagsChanged(Guid TicketId, int Number, Instant At) : TicketEvent(TicketId, Number, At);
}
