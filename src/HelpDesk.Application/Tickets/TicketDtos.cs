using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tickets;

public sealed record PersonDto(string Email, string Name);

/// <summary>A ticket as the API shows it.</summary>
public sealed record TicketDto(
    int Number,
    string Subject,
    string Status,
    string Priority,
    string Team,
    PersonDto Requester,
    PersonDto? Assignee,
    IReadOnlyList<string> Participants,
    IReadOnlyList<string> Tags,
    string Channel,
    Instant CreatedAt,
    Instant UpdatedAt,
    int Version,
    string? SlaPolicy,
    Instant? SlaDueAt,
    int? FollowUpOf);

/// <summary>Loads tickets for changes and shapes them for answers.</summary>
public static class TicketLoading
{
    /// <summary>
    /// Tickets with what the aggregate's rules read (the history, from which the SLA ledger is replayed), tracked. The
    /// thread is not loaded: no rule reads earlier articles (the stale-reply guard compares versions), new ones are
    /// added and saved all the same, and answers that show the thread read it themselves.
    /// </summary>
    public static IQueryable<Ticket> TicketsForChange(this HelpDeskDbContext db) =>
        db.Tickets.Include(t => t.History);

    public static async Task<Ticket> LoadForChangeAsync(this HelpDeskDbContext db, int number, CancellationToken ct) =>
        await db.TicketsForChange().SingleOrDefaultAsync(t => t.Number == number, ct)
        ?? throw new NotFoundException($"Ticket #{number} was not found.");

    public static async Task<TicketDto> ToDtoAsync(this HelpDeskDbContext db, Ticket t, CancellationToken ct)
    {
        var team = await db.Teams.Where(x => x.Id == t.TeamId).Select(x => x.Name).SingleAsync(ct);
        var requester = await db.Customers.Where(c => c.Id == t.RequesterId).Select(c => new PersonDto(c.Email, c.Name)).SingleAsync(ct);
        var assignee = t.AssigneeId is { } id
            ? await db.Agents.Where(a => a.Id == id).Select(a => new PersonDto(a.Email, a.Name)).SingleOrDefaultAsync(ct)
            : null;
        return new TicketDto(t.Number, t.Subject, Vocabulary.Name(t.Status), Vocabulary.Name(t.Priority), team, requester, assignee,
            t.Participants.ToList(), t.Tags.ToList(), t.Channel, t.CreatedAt, t.UpdatedAt, t.Version, t.SlaPolicyName, t.SlaDueAt, t.FollowUpOf);
    }
}
