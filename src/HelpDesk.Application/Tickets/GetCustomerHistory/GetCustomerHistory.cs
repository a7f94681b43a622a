using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tickets.GetCustomerHistory;

/// <summary>A customer's tickets (those the caller may see), newest first, so nobody asks them to repeat themselves.</summary>
public sealed record GetCustomerHistory(string Email, int Limit = 50) : IQuery<CustomerHistoryDto>;

public sealed record CustomerTicketDto(int Number, string Subject, string Status, string Priority, Instant CreatedAt, Instant UpdatedAt);

public sealed record CustomerHistoryDto(string Email, string Name, string? Organisation, int TotalTickets, IReadOnlyList<CustomerTicketDto> Tickets);

public sealed class GetCustomerHistoryHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<GetCustomerHistory, CustomerHistoryDto>
{
    public async ValueTask<CustomerHistoryDto> Handle(GetCustomerHistory query, CancellationToken ct)
    {
        var email = EmailAddress.Normalise(query.Email);
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Email == email, ct)
            ?? throw new NotFoundException($"There is no customer '{query.Email}'.");
        var visible = await caller.VisibleTeamsAsync(ct);
        var tickets = db.Tickets.AsNoTracking().Where(t => t.RequesterId == customer.Id).VisibleTo(visible);
        var total = await tickets.CountAsync(ct);
        if (total == 0 && visible is not null) throw new NotFoundException($"There is no customer '{query.Email}'.");
        var rows = await tickets.OrderByDescending(t => t.CreatedAt).Take(Math.Clamp(query.Limit, 1, 200))
            .Select(t => new { t.Number, t.Subject, t.Status, t.Priority, t.CreatedAt, t.UpdatedAt }).ToListAsync(ct);
        return new CustomerHistoryDto(customer.Email, customer.Name, customer.Organisation, total,
            rows.Select(r => new CustomerTicketDto(r.Number, r.Subject, Vocabulary.Name(r.Status), Vocabulary.Name(r.Priority), r.CreatedAt, r.UpdatedAt)).ToList());
    }
}
