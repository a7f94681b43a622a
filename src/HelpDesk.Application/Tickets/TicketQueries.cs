using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Common;
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

    /// <summary>What an <c>assignee</c> filter may be: an agent's e-mail address, <c>me</c> or <c>none</c>.</summary>
    public static bool IsAssigneeFilter(string? assignee) => assignee is null or "me" or "none" || EmailAddress.IsValid(assignee);

    public const string AssigneeFilterMessage = "'assignee' must be an e-mail address, me or none.";

    /// <summary>
    /// The tickets assigned as <paramref name="assignee"/> says (<see cref="IsAssigneeFilter"/>; null: no filter): to the
    /// agent with that address, to the caller (<c>me</c>), or to nobody (<c>none</c>).
    /// </summary>
    public static async Task<IQueryable<Ticket>> AssignedAsync(this IQueryable<Ticket> tickets, string? assignee, Caller caller,
        HelpDeskDbContext db, CancellationToken ct)
    {
        switch (assignee)
        {
            case null: return tickets;
            case "none": return tickets.Where(t => t.AssigneeId == null);
            case "me":
                var me = (await caller.AgentAsync(ct))?.Id;
                return tickets.Where(t => t.AssigneeId == me);
            default:
                var email = EmailAddress.Normalise(assignee);
                var agentId = await db.Agents.Where(a => a.Email == email).Select(a => (Guid?)a.Id).SingleOrDefaultAsync(ct);
                return tickets.Where(t => t.AssigneeId == agentId);
        }
    }

    /// <summary>The id of the team named <paramref name="name"/> (names are stored in lower case), null when there is none.</summary>
    public static Task<Guid?> TeamIdAsync(this HelpDeskDbContext db, string name, CancellationToken ct) =>
        db.Teams.Where(t => t.Name == name.Trim().ToLower()).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(ct);
}
