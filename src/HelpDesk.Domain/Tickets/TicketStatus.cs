namespace HelpDesk.Domain.Tickets;

/// <summary>Life-cycle status of a ticket. <see cref="Closed"/> is final.</summary>
public enum TicketStatus
{
    New = 0,
    Open = 1,
    Pending = 2,
    OnHold = 3,
    Solved = 4,
    Closed = 5,
}
