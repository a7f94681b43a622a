using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Tickets.GetTicket;

public sealed record GetTicket(int Number) : IQuery<TicketDto>;

public sealed class GetTicketHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<GetTicket, TicketDto>
{
    public async ValueTask<TicketDto> Handle(GetTicket query, CancellationToken ct)
    {
        var ticket = await caller.VisibleTicketAsync(db.Tickets.AsNoTracking(), query.Number, ct);
        return await db.ToDtoAsync(ticket, ct);
    }
}
