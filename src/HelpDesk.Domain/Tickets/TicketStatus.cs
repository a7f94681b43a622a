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

/// <summary>The one definition of an open ticket: solved and closed tickets are done, every other status is open work.</summary>
public static class TicketStatuses
{
    /// <summary>Open work, in life-cycle order: what the queue shows by default, the backlog counts and SLA clocks run for.</summary>
    public static IReadOnlyList<TicketStatus> Open { get; } = [TicketStatus.New, TicketStatus.Open, TicketStatus.Pending, TicketStatus.OnHold];

    /// <summary>Done: solved (may reopen) and closed (final).</summary>
    public static IReadOnlyList<TicketStatus> Done { get; } = [TicketStatus.Solved, TicketStatus.Closed];

    public static bool IsOpen(this TicketStatus status) => status is not (TicketStatus.Solved or TicketStatus.Closed);
}
