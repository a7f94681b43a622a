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
/// The work queue: tickets of the caller's teams in a built-in <see cref="View"/> (<see cref="QueueViews"/>; open work by
/// default), refined by filters that take precedence over the view's own (<see cref="Status"/>, <see cref="Assignee"/>:
/// an e-mail, <c>me</c> or <c>none</c>). Sorted by <see cref="Sort"/>: <c>due</c> (nearest SLA due instant first, tickets
/// without a running SLA last, oldest first; the default), <c>updated</c> (most recently updated first; the default of the
/// <c>all</c> view and of solved and/or closed tickets only: they have no SLA to sort by) or <c>created</c> (newest first).
/// Paged by <see cref="Limit"/>/<see cref="Offset"/> with the exact total.
/// </summary>
public sealed record GetQueue(string? Team, IReadOnlyList<string>? Status, string? Assignee, string? Priority, int Limit = 50, int Offset = 0,
    string? View = null, string? Sort = null, string? Channel = null) : IQuery<QueuePage>, IQueueFilter;

public sealed record QueueItemDto(int Number, string Subject, string Status, string Priority, string Team, string RequesterEmail,
    string RequesterName, string? AssigneeEmail, Instant CreatedAt, Instant UpdatedAt, Instant? SlaDueAt, int Version);

public sealed record QueuePage(IReadOnlyList<QueueItemDto> Items, int Total, int Limit, int Offset);

public sealed class GetQueueValidator : AbstractValidator<GetQueue>
{
    public GetQueueValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, 500);
        RuleFor(q => q.Offset).GreaterThanOrEqualTo(0);
        Include(new QueueFilterValidator());
    }
}

public sealed class GetQueueHandler(HelpDeskDbContext db, QueueFilters filters) : IQueryHandler<GetQueue, QueuePage>
{
    public async ValueTask<QueuePage> Handle(GetQueue query, CancellationToken ct)
    {
        var filtered = await filters.ApplyAsync(query, ct);
        var (tickets, teams) = (filtered.Tickets, filtered.Teams);
        var total = await tickets.CountAsync(ct);
        if (total == 0 || query.Offset >= total) return Page([], total, query);
        switch (filtered.Sort)
        {
            case "updated" when filtered.DoneOnly: return await DoneAsync(filtered, total, query, ct);
            case "updated":
                return await PageAsync(await tickets.OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Number)
                    .Skip(query.Offset).Take(query.Limit).Select(t => t.Number).ToListAsync(ct), total, query, ct);
            case "created":
                return await PageAsync(await tickets.OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Number)
                    .Skip(query.Offset).Take(query.Limit).Select(t => t.Number).ToListAsync(ct), total, query, ct);
        }
        if (!filtered.WorkableOnly || teams.Count > QueueFilters.MaxMergedTeams)
        {
            // Solved and closed tickets are outside the queue index (and many teams make many reads): one sorted read.
            var page = await tickets
                .OrderBy(t => t.SlaDueAt == null).ThenBy(t => t.SlaDueAt).ThenBy(t => t.CreatedAt).ThenBy(t => t.Number)
                .Skip(query.Offset).Take(query.Limit)
                .ToQueueItemsAsync(db, ct);
            return Page(page, total, query);
        }

        // Each team's open tickets are read in the queue index's order, tickets with a due instant first, then the
        // others oldest first (nulls sort first in an index, so the two runs are separate reads), and merged here:
        // only Offset + Limit entries per team are read instead of sorting every open ticket. Number breaks ties in the
        // database too (it is the index's next column): without it PostgreSQL returns an arbitrary subset of tickets
        // created at the same instant, and consecutive pages repeat some and skip others.
        var need = query.Offset + query.Limit;
        var due = new List<QueueKey>();
        foreach (var team in teams)
            due.AddRange(await tickets.Where(t => t.TeamId == team && t.SlaDueAt != null)
                .OrderBy(t => t.SlaDueAt).ThenBy(t => t.CreatedAt).ThenBy(t => t.Number).Take(need)
                .Select(t => new QueueKey(t.Number, t.SlaDueAt, t.CreatedAt)).ToListAsync(ct));
        var keys = due.OrderBy(k => k.SlaDueAt).ThenBy(k => k.CreatedAt).ThenBy(k => k.Number).Take(need).ToList();
        if (keys.Count < need)
        {
            var undated = new List<QueueKey>();
            foreach (var team in teams)
                undated.AddRange(await tickets.Where(t => t.TeamId == team && t.SlaDueAt == null)
                    .OrderBy(t => t.CreatedAt).ThenBy(t => t.Number).Take(need - keys.Count)
                    .Select(t => new QueueKey(t.Number, t.SlaDueAt, t.CreatedAt)).ToListAsync(ct));
            keys.AddRange(undated.OrderBy(k => k.CreatedAt).ThenBy(k => k.Number).Take(need - keys.Count));
        }
        return await PageAsync(keys.Skip(query.Offset).Select(k => k.Number).ToList(), total, query, ct);
    }

    private static QueuePage Page(IReadOnlyList<QueueItemDto> items, int total, GetQueue query) => new(items, total, query.Limit, query.Offset);

    // The queue rows of the tickets numbered, in that order.
    private async Task<QueuePage> PageAsync(List<int> numbers, int total, GetQueue query, CancellationToken ct)
    {
        var rows = await db.Tickets.AsNoTracking().Where(t => numbers.Contains(t.Number)).ToQueueItemsAsync(db, ct);
        var position = numbers.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        return Page(rows.OrderBy(r => position[r.Number]).ToList(), total, query);
    }

    private sealed record QueueKey(int Number, Instant? SlaDueAt, Instant CreatedAt);

    /// <summary>
    /// Solved and closed tickets, most recently updated first. Each (team, status) range of the (TeamId, Status,
    /// UpdatedAt, Number) index is read newest first, Offset + Limit entries at most, and merged here; over
    /// <see cref="QueueFilters.MaxMergedTeams"/> ranges one sorted read.
    /// </summary>
    private async Task<QueuePage> DoneAsync(FilteredQueue filtered, int total, GetQueue query, CancellationToken ct)
    {
        var tickets = filtered.Tickets;
        var need = query.Offset + query.Limit;
        List<int> numbers;
        if (filtered.Teams.Count * filtered.Statuses.Length <= QueueFilters.MaxMergedTeams)
        {
            var recent = new List<(int Number, Instant UpdatedAt)>();
            foreach (var team in filtered.Teams)
                foreach (var status in filtered.Statuses)
                    recent.AddRange((await tickets.Where(t => t.TeamId == team && t.Status == status)
                        .OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Number).Take(need)
                        .Select(t => new { t.Number, t.UpdatedAt }).ToListAsync(ct)).Select(k => (k.Number, k.UpdatedAt)));
            numbers = recent.OrderByDescending(k => k.UpdatedAt).ThenByDescending(k => k.Number).Skip(query.Offset).Take(query.Limit)
                .Select(k => k.Number).ToList();
        }
        else
            numbers = await tickets.OrderByDescending(t => t.UpdatedAt).ThenByDescending(t => t.Number).Skip(query.Offset).Take(query.Limit)
                .Select(t => t.Number).ToListAsync(ct);
        return await PageAsync(numbers, total, query, ct);
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
