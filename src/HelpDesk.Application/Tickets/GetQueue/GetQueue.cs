using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tickets.GetQueue;

/// <summary>
/// The work queue: tickets of the caller's teams, nearest SLA due instant first (tickets without a running SLA last,
/// oldest first). Defaults to every status but solved and closed. <see cref="Assignee"/> is an e-mail, <c>me</c> or <c>none</c>.
/// </summary>
public sealed record GetQueue(string? Team, IReadOnlyList<string>? Status, string? Assignee, string? Priority, int Limit = 50, int Offset = 0)
    : IQuery<QueuePage>;

public sealed record QueueItemDto(int Number, string Subject, string Status, string Priority, string Team, string RequesterEmail,
    string RequesterName, string? AssigneeEmail, Instant CreatedAt, Instant UpdatedAt, Instant? SlaDueAt, int Version);

public sealed record QueuePage(IReadOnlyList<QueueItemDto> Items, int Total);

public sealed class GetQueueValidator : AbstractValidator<GetQueue>
{
    public GetQueueValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, 500);
        RuleFor(q => q.Offset).GreaterThanOrEqualTo(0);
        RuleForEach(q => q.Status).Must(s => Vocabulary.TryStatus(s, out _))
            .WithMessage($"'status' must be one of {Vocabulary.ListOf(Vocabulary.StatusNames)}.");
        RuleFor(q => q.Priority).Must(p => p is null || Vocabulary.TryPriority(p, out _))
            .WithMessage($"'priority' must be one of {Vocabulary.ListOf(Vocabulary.PriorityNames)}.");
        RuleFor(q => q.Assignee).Must(a => a is null or "me" or "none" || EmailAddress.IsValid(a))
            .WithMessage("'assignee' must be an e-mail address, me or none.");
    }
}

public sealed class GetQueueHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<GetQueue, QueuePage>
{
    private static readonly TicketStatus[] Workable = [TicketStatus.New, TicketStatus.Open, TicketStatus.Pending, TicketStatus.OnHold];

    public async ValueTask<QueuePage> Handle(GetQueue query, CancellationToken ct)
    {
        var visible = await caller.VisibleTeamsAsync(ct);
        var tickets = db.Tickets.AsNoTracking();
        if (visible is not null) tickets = tickets.Where(t => visible.Contains(t.TeamId));
        if (query.Team is { Length: > 0 } teamName)
        {
            var teamId = await db.Teams.Where(t => t.Name == teamName.ToLower()).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(ct);
            tickets = tickets.Where(t => t.TeamId == teamId);
        }
        var statuses = query.Status is { Count: > 0 } s ? s.Select(Vocabulary.ParseStatus).ToArray() : Workable;
        tickets = tickets.Where(t => statuses.Contains(t.Status));
        if (query.Priority is not null)
        {
            var priority = Vocabulary.ParsePriority(query.Priority);
            tickets = tickets.Where(t => t.Priority == priority);
        }
        switch (query.Assignee)
        {
            case null: break;
            case "none": tickets = tickets.Where(t => t.AssigneeId == null); break;
            case "me":
                var me = (await caller.AgentAsync(ct))?.Id;
                tickets = tickets.Where(t => t.AssigneeId == me);
                break;
            default:
                var email = EmailAddress.Normalise(query.Assignee);
                var agentId = await db.Agents.Where(a => a.Email == email).Select(a => (Guid?)a.Id).SingleOrDefaultAsync(ct);
                tickets = tickets.Where(t => t.AssigneeId == agentId);
                break;
        }

        var total = await tickets.CountAsync(ct);
        var items = await tickets
            .OrderBy(t => t.SlaDueAt == null).ThenBy(t => t.SlaDueAt).ThenBy(t => t.CreatedAt)
            .Skip(query.Offset).Take(query.Limit)
            .ToQueueItemsAsync(db, ct);
        return new QueuePage(items, total);
    }
}

public static class QueueRows
{
    /// <summary>Projects tickets to queue rows in one query (the queue, and the console's live updates).</summary>
    public static async Task<List<QueueItemDto>> ToQueueItemsAsync(this IQueryable<Ticket> tickets, HelpDeskDbContext db, CancellationToken ct)
    {
        var items = await tickets
            .Select(t => new
            {
                t.Number, t.Subject, t.Status, t.Priority, t.CreatedAt, t.UpdatedAt, t.SlaDueAt, t.Version,
                Team = db.Teams.Where(x => x.Id == t.TeamId).Select(x => x.Name).FirstOrDefault(),
                Requester = db.Customers.Where(c => c.Id == t.RequesterId).Select(c => new { c.Email, c.Name }).FirstOrDefault(),
                Assignee = db.Agents.Where(a => a.Id == t.AssigneeId).Select(a => a.Email).FirstOrDefault(),
            })
            .ToListAsync(ct);
        return items.Select(i => new QueueItemDto(i.Number, i.Subject, Vocabulary.Name(i.Status), Vocabulary.Name(i.Priority),
            i.Team ?? "", i.Requester?.Email ?? "", i.Requester?.Name ?? "", i.Assignee, i.CreatedAt, i.UpdatedAt, i.SlaDueAt, i.Version)).ToList();
    }
}
