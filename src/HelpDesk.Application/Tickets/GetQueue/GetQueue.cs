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
/// oldest first). Defaults to every status but solved and closed; asked for solved and/or closed tickets only, it lists
/// them most recently updated first (they have no SLA to sort by). <see cref="Assignee"/> is an e-mail, <c>me</c> or <c>none</c>.
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
        RuleFor(q => q.Assignee).Must(TicketQueries.IsAssigneeFilter).WithMessage(TicketQueries.AssigneeFilterMessage);
    }
}

public sealed class GetQueueHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<GetQueue, QueuePage>
{
    /// <summary>Above this many teams one sorted read is cheaper than a read per team.</summary>
    private const int MaxMergedTeams = 32;

    public async ValueTask<QueuePage> Handle(GetQueue query, CancellationToken ct)
    {
        var visible = await caller.VisibleTeamsAsync(ct);
        var tickets = db.Tickets.AsNoTracking().VisibleTo(visible);
        IReadOnlyList<Guid>? teams = visible?.ToList();
        if (query.Team is { Length: > 0 } teamName)
        {
            var teamId = await db.TeamIdAsync(teamName, ct);
            tickets = tickets.Where(t => t.TeamId == teamId);
            teams = teamId is { } id && (teams is null || teams.Contains(id)) ? [id] : [];
        }
        var statuses = query.Status is { Count: > 0 } s ? s.Select(Vocabulary.ParseStatus).Distinct().ToArray() : [.. TicketStatuses.Open];
        var workableOnly = statuses.All(TicketStatuses.Open.Contains);
        if (workableOnly)
        {
            // Open() is spelled as the queue index's filter (constants, same order), so SQLite sees the index applies.
            tickets = tickets.Open();
            if (statuses.Length < TicketStatuses.Open.Count) tickets = tickets.Where(t => statuses.Contains(t.Status));
        }
        else tickets = tickets.Where(t => statuses.Contains(t.Status));
        if (query.Priority is not null)
        {
            var priority = Vocabulary.ParsePriority(query.Priority);
            tickets = tickets.Where(t => t.Priority == priority);
        }
        tickets = await tickets.AssignedAsync(query.Assignee, caller, db, ct);

        teams ??= await db.Teams.Select(t => t.Id).ToListAsync(ct);
        if (statuses.All(TicketStatuses.Done.Contains)) return await DoneAsync(tickets, teams, statuses, visible is null && query.Team is not { Length: > 0 }, query, ct);
        var merge = workableOnly && teams.Count <= MaxMergedTeams;
        // Every team named, even for an admin: the count then seeks each team's range of an index instead of scanning one.
        if (merge && visible is null && query.Team is not { Length: > 0 }) tickets = tickets.VisibleTo(teams);
        var total = await tickets.CountAsync(ct);
        if (!merge || total == 0 || query.Offset >= total)
        {
            // Solved and closed tickets are outside the queue index (and many teams make many reads): one sorted read.
            var page = total == 0 || query.Offset >= total ? [] : await tickets
                .OrderBy(t => t.SlaDueAt == null).ThenBy(t => t.SlaDueAt).ThenBy(t => t.CreatedAt)
                .Skip(query.Offset).Take(query.Limit)
                .ToQueueItemsAsync(db, ct);
            return new QueuePage(page, total);
        }

        // Each team's open tickets are read in the queue index's order, tickets with a due instant first, then the
        // others oldest first (nulls sort first in an index, so the two runs are separate reads), and merged here:
        // only Offset + Limit entries per team are read instead of sorting every open ticket.
        var need = query.Offset + query.Limit;
        var due = new List<QueueKey>();
        foreach (var team in teams)
            due.AddRange(await tickets.Where(t => t.TeamId == team && t.SlaDueAt != null)
                .OrderBy(t => t.SlaDueAt).ThenBy(t => t.CreatedAt).Take(need)
                .Select(t => new QueueKey(t.Number, t.SlaDueAt, t.CreatedAt)).ToListAsync(ct));
        var keys = due.OrderBy(k => k.SlaDueAt).ThenBy(k => k.CreatedAt).ThenBy(k => k.Number).Take(need).ToList();
        if (keys.Count < need)
        {
            var undated = new List<QueueKey>();
            foreach (var team in teams)
                undated.AddRange(await tickets.Where(t => t.TeamId == team && t.SlaDueAt == null)
                    .OrderBy(t => t.CreatedAt).Take(need - keys.Count)
                    .Select(t => new QueueKey(t.Number, t.SlaDueAt, t.CreatedAt)).ToListAsync(ct));
            keys.AddRange(undated.OrderBy(k => k.CreatedAt).ThenBy(k => k.Number).Take(need - keys.Count));
        }
        return await PageAsync(keys.Skip(query.Offset).Select(k => k.Number).ToList(), total, ct);
    }

    // The queue rows of the tickets numbered, in that order.
    private async Task<QueuePage> PageAsync(List<int> numbers, int total, CancellationToken ct)
    {
        var rows = await db.Tickets.AsNoTracking().Where(t => numbers.Contains(t.Number)).ToQueueItemsAsync(db, ct);
        var position = numbers.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        return new QueuePage(rows.OrderBy(r => position[r.Number]).ToList(), total);
    }

    private sealed record QueueKey(int Number, Instant? SlaDueAt, Instant CreatedAt);

    /// <summary>
    /// Solved and closed tickets, most recently updated first. Each (team, status) range of the (TeamId, Status,
    /// UpdatedAt, Number) index is read newest first, Offset + Limit entries at most, and merged here; over
    /// <see cref="MaxMergedTeams"/> ranges one sorted read.
    /// </summary>
    private async Task<QueuePage> DoneAsync(IQueryable<Ticket> tickets, IReadOnlyList<Guid> teams, TicketStatus[] statuses, bool nameTeams,
        GetQueue query, CancellationToken ct)
    {
        // Every team named, even for an admin: the count then seeks each team's range instead of scanning every ticket.
        if (nameTeams) tickets = tickets.VisibleTo(teams);
        var total = await tickets.CountAsync(ct);
        if (total == 0 || query.Offset >= total) return new QueuePage([], total);
        var need = query.Offset + query.Limit;
        List<int> numbers;
        if (teams.Count * statuses.Length <= MaxMergedTeams)
        {
            var recent = new List<(int Number, Instant UpdatedAt)>();
            foreach (var team in teams)
                foreach (var status in statuses)
                    recent.AddRange((await tickets.Where(t => t.TeamId == team && t.Status == status)
                        .OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Number).Take(need)
                        .Select(t => new { t.Number, t.UpdatedAt }).ToListAsync(ct)).Select(k => (k.Number, k.UpdatedAt)));
            numbers = recent.OrderByDescending(k => k.UpdatedAt).ThenByDescending(k => k.Number).Skip(query.Offset).Take(query.Limit)
                .Select(k => k.Number).ToList();
        }
        else
            numbers = await tickets.OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Number).Skip(query.Offset).Take(query.Limit)
                .Select(t => t.Number).ToListAsync(ct);
        return await PageAsync(numbers, total, ct);
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
                // Scalar subqueries each: an anonymous object here became a LEFT JOIN over ROW_NUMBER() of every customer.
                RequesterEmail = db.Customers.Where(c => c.Id == t.RequesterId).Select(c => c.Email).FirstOrDefault(),
                RequesterName = db.Customers.Where(c => c.Id == t.RequesterId).Select(c => c.Name).FirstOrDefault(),
                Assignee = db.Agents.Where(a => a.Id == t.AssigneeId).Select(a => a.Email).FirstOrDefault(),
            })
            .ToListAsync(ct);
        return items.Select(i => new QueueItemDto(i.Number, i.Subject, Vocabulary.Name(i.Status), Vocabulary.Name(i.Priority),
            i.Team ?? "", i.RequesterEmail ?? "", i.RequesterName ?? "", i.Assignee, i.CreatedAt, i.UpdatedAt, i.SlaDueAt, i.Version)).ToList();
    }
}
