using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Tickets.FindCustomers;

/// <summary>
/// Customers whose address starts with, or whose name contains, <see cref="Q"/> — the requester typeahead of a ticket
/// opened in the console. Least visibility as in a customer's history: an agent finds only customers who have a ticket
/// in one of their teams (admins: everyone).
/// </summary>
public sealed record FindCustomers(string? Q, int Limit = 10) : IQuery<IReadOnlyList<CustomerDto>>;

public sealed record CustomerDto(string Email, string Name, string? Organisation);

public sealed class FindCustomersValidator : AbstractValidator<FindCustomers>
{
    public FindCustomersValidator()
    {
        RuleFor(q => q.Q).NotEmpty().WithMessage("'q' is required (part of a name or an address).").MaximumLength(200);
        RuleFor(q => q.Limit).InclusiveBetween(1, 50);
    }
}

public sealed class FindCustomersHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<FindCustomers, IReadOnlyList<CustomerDto>>
{
    public async ValueTask<IReadOnlyList<CustomerDto>> Handle(FindCustomers query, CancellationToken ct)
    {
        var q = query.Q!.Trim().ToLowerInvariant();
        var visible = await caller.VisibleTeamsAsync(ct);
        var customers = db.Customers.AsNoTracking().Where(c => c.Email.StartsWith(q) || c.Name.ToLower().Contains(q));
        if (visible is not null)
            customers = customers.Where(c => db.Tickets.Any(t => t.RequesterId == c.Id && visible.Contains(t.TeamId)));
        return await customers.OrderBy(c => c.Name).ThenBy(c => c.Email).Take(query.Limit)
            .Select(c => new CustomerDto(c.Email, c.Name, c.Organisation)).ToListAsync(ct);
    }
}
