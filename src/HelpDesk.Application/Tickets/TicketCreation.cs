using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Teams;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tickets;

/// <summary>Who writes to the help desk: found by address, or a new customer.</summary>
public sealed record Requester(string Email, string? Name, string? Organisation = null);

/// <summary>The first message of a ticket. Its links may name the ticket (mail attachments), so it is made once the number is known.</summary>
public sealed record TicketBody(string Text, string? Html);

/// <summary>What a new ticket is opened with.</summary>
/// <param name="SignedByMessage">The first article carries the name the message was signed with (<see cref="Requester.Name"/>, mail),
/// not the customer's stored name (the API).</param>
public sealed record NewTicket(string Subject, Requester Requester, Guid TeamId, Priority Priority, string Channel, Func<int, TicketBody> Body,
    Actor OpenedBy, int? FollowUpOf = null, bool SignedByMessage = false);

/// <summary>
/// The one path that opens a ticket, for the API (<c>CreateTicket</c>) and mail alike, inside the caller's unit of work:
/// the requester found or created, the number allocated (so a transaction must be open), <see cref="Ticket.Open"/>, what
/// the channel adds to the new ticket, then the SLA schedule and the reporting rows. Nothing is saved: the caller saves
/// once, and publishes the ticket's events after its commit.
/// </summary>
public sealed class TicketCreation(HelpDeskDbContext db, SlaScheduler sla)
{
    /// <param name="alongside">What the channel adds before the SLA schedule is computed (mail: participants, the mail record, the acknowledgement).</param>
    public async Task<Ticket> OpenAsync(NewTicket request, Instant now, CancellationToken ct, Func<Ticket, Customer, Task>? alongside = null)
    {
        var customer = await RequesterAsync(request.Requester, ct);
        var number = await TicketNumbers.NextAsync(db, ct);
        var body = request.Body(number);
        var ticket = Ticket.Open(Guid.CreateVersion7(), number, request.Subject, customer, request.TeamId, request.Priority, request.Channel,
            body.Text, body.Html, request.OpenedBy, now, request.FollowUpOf,
            request.SignedByMessage ? customer.NameIn(request.Requester.Name) : null);
        db.Tickets.Add(ticket);
        if (alongside is not null) await alongside(ticket, customer);
        await sla.RefreshAsync(ticket, now, ct);
        return ticket;
    }

    /// <summary>The customer with this address (learning their name if it was unknown), or a new one.</summary>
    public async Task<Customer> RequesterAsync(Requester requester, CancellationToken ct)
    {
        var email = EmailAddress.Normalise(requester.Email);
        var customer = await db.Customers.SingleOrDefaultAsync(c => c.Email == email, ct);
        if (customer is null)
        {
            customer = new Customer(Guid.CreateVersion7(), email, requester.Name, requester.Organisation);
            db.Customers.Add(customer);
        }
        else customer.LearnName(requester.Name);
        return customer;
    }

    /// <summary>
    /// Whether a failed save wrote a new customer: on PostgreSQL and SQL Server two units of work that both found no
    /// customer for an address both insert one, and the later one fails on the unique address. Run the unit again: it
    /// then finds the customer the other one created. (SQLite's single writer reports the same race as a busy snapshot,
    /// which the execution strategy retries by itself.)
    /// </summary>
    public static bool IsNewRequesterRace(DbUpdateException ex) =>
        ex is not DbUpdateConcurrencyException && ex.Entries.Any(e => e.Entity is Customer && e.State == EntityState.Added);

    /// <summary>Where a ticket goes when nothing names a team: "support" if it exists, else the first team by name.</summary>
    public Task<Team?> DefaultTeamAsync(CancellationToken ct) =>
        db.Teams.OrderBy(t => t.Name == "support" ? 0 : 1).ThenBy(t => t.Name).FirstOrDefaultAsync(ct);
}
