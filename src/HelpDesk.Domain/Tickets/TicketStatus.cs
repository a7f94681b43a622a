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
    // Derived from IsOpen in declaration (life-cycle) order, so the rule is written once (and no compiler helper type
    // for a collection literal leaks into the domain's dependencies).
    /// <summary>Open work, in life-cycle order: what the queue shows by default, the backlog counts and SLA clocks run for.</summary>
    public static IReadOnlyList<TicketStatus> Open { get; } = Enum.GetValues<TicketStatus>().Where(s => s.IsOpen()).ToList().AsReadOnly();

    /// <summary>Done: solved (may reopen) and closed (final).</summary>
    public static IReadOnlyList<TicketStatus> Done { get; } = Enum.GetValues<TicketStatus>().Where(s => !s.IsOpen()).ToList().AsReadOnly();

    public static bool IsOpen(this TicketStatus status) => status is not (TicketStatus.Solved or TicketStatus.Closed);
}
