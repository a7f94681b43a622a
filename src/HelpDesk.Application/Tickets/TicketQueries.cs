using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Tickets;

public static class TicketQueries
{
    private static readonly TicketStatus[] OpenStatuses = [.. TicketStatuses.Open];

    /// <summary>
    /// Open tickets (<see cref="TicketStatuses.Open"/>). The statuses are a list of constants, never "not solved", so an
    /// index on (TeamId, Status, ...) is sought for the open tickets only.
    /// </summary>
    public static IQueryable<Ticket> Open(this IQueryable<Ticket> tickets) =>
        tickets.Where(t => EF.Constant(OpenStatuses).Contains(t.Status));
}
