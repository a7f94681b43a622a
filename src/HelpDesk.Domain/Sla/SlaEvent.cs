using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Domain.Sla;

/// <summary>
/// One fact the SLA engine reacts to. A ticket's SLA-relevant history is a list of these, in instant order.
/// </summary>
public abstract record SlaEvent(Instant At)
{
    public sealed record Created(Instant At, Priority Priority) : SlaEvent(At);
    /// <summary>A public reply by an agent.</summary>
    public sealed record AgentReply(Instant At) : SlaEvent(At);
    public sealed record InternalNote(Instant At) : SlaEvent(At);
    /// <summary>A public message from the customer's side.</summary>
    public sealed record CustomerReply(Instant At) : SlaEvent(At);
    /// <summary>An automatic message from the customer's side (out-of-office, bounce): never starts or stops a clock.</summary>
    public sealed record AutoReply(Instant At) : SlaEvent(At);
    public sealed record StatusChanged(Instant At, TicketStatus Status) : SlaEvent(At);
    public sealed record PriorityChanged(Instant At, Priority Priority) : SlaEvent(At);
    /// <summary>
    /// From this instant on, another calendar/policy version applies (an admin edit, or the ticket now matches another policy).
    /// Running cycles switch to it; stopped cycles keep what they ended with; time already counted stays counted.
    /// </summary>
    public sealed record TermsChanged(Instant At, SlaTerms Terms) : SlaEvent(At);
}
