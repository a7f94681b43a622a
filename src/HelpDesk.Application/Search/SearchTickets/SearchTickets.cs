using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Application.Search.SearchTickets;

/// <summary>
/// Full-text search over the tickets the caller may see (docs/search.md): every word of <see cref="Q"/> must occur in the
/// ticket's number, subject, articles (notes too: callers are agents), requester, tags or attachment names, after
/// normalisation on both sides; the filters narrow it. Best matches first, ties most recently updated first; paged
/// without a cap (<see cref="SearchPage.Total"/> is exact when counting is cheap, a lower bound otherwise). Numbers and dates arrive as text so a bad one is a 400
/// naming its field.
/// </summary>
public sealed record SearchTickets(string? Q, IReadOnlyList<string>? Status = null, string? Team = null, string? Assignee = null,
    string? Requester = null, string? Tag = null, string? Priority = null, string? CreatedFrom = null, string? CreatedTo = null,
    string? UpdatedFrom = null, string? UpdatedTo = null, string? Page = null, string? PageSize = null, string? Channel = null) : IQuery<SearchPage>
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 100;

    public bool HasFilter => Status is { Count: > 0 } || new[] { Team, Assignee, Requester, Tag, Priority, Channel, CreatedFrom, CreatedTo, UpdatedFrom, UpdatedTo }
        .Any(f => !string.IsNullOrWhiteSpace(f));

    public int PageNumber => int.TryParse(Page, out var p) ? p : 1;
    public int PageLength => int.TryParse(PageSize, out var s) ? s : DefaultPageSize;
}

/// <param name="Total">The number of hits when <paramref name="TotalExact"/>; otherwise a lower bound ("more than"): counting every hit of a
/// common word would cost more than the page, so it is counted only as far as this page needed.</param>
/// <param name="HasMore">Whether another page follows (paging goes to the last hit whatever the total says).</param>
public sealed record SearchPage(string Query, int Total, bool TotalExact, bool HasMore, int Page, int PageSize, IReadOnlyList<SearchItem> Items);

/// <param name="Assignee">The assigned agent's name, null when unassigned.</param>
/// <param name="Snippet">A passage of the best-matching text in segments; <c>match</c> marks the words found (render as text, never HTML).</param>
public sealed record SearchItem(int Number, string Subject, string Status, string Priority, string Team, SearchRequester Requester,
    string? Assignee, Instant UpdatedAt, IReadOnlyList<SnippetSegment> Snippet);

public sealed record SearchRequester(string? Name, string Address);

public sealed class SearchTicketsValidator : AbstractValidator<SearchTickets>
{
    public SearchTicketsValidator()
    {
        RuleFor(q => q.Q).Must((query, q) => !string.IsNullOrWhiteSpace(q) || query.HasFilter)
            .WithMessage("'q' is required (words to search for) unless a filter is given.");
        RuleFor(q => q.Q).Must(q => q is null || SearchText.Terms(q).Count > 0 || string.IsNullOrWhiteSpace(q))
            .WithMessage("'q' has no letters or digits to search for.");
        RuleFor(q => q.Q).MaximumLength(1000).WithMessage("'q' is at most 1000 characters.");
        RuleFor(q => q.Status).Must(statuses => statuses is null || statuses.All(s => Vocabulary.TryStatus(s, out _)))
            .WithMessage($"'status' must be one of {Vocabulary.ListOf(Vocabulary.StatusNames)}.");
        RuleFor(q => q.Priority).Must(p => string.IsNullOrEmpty(p) || Vocabulary.TryPriority(p, out _))
            .WithMessage($"'priority' must be one of {Vocabulary.ListOf(Vocabulary.PriorityNames)}.");
        RuleFor(q => q.Channel).Must(c => string.IsNullOrEmpty(c) || Vocabulary.TryChannel(c, out _))
            .WithMessage($"'channel' must be one of {Vocabulary.ListOf(Vocabulary.ChannelNames)}.");
        RuleFor(q => q.Assignee).Must(a => string.IsNullOrEmpty(a) || TicketQueries.IsAssigneeFilter(a)).WithMessage(TicketQueries.AssigneeFilterMessage);
        RuleFor(q => q.Requester).Must(r => string.IsNullOrEmpty(r) || EmailAddress.IsValid(r))
            .WithMessage("'requester' must be the requester's e-mail address.");
        RuleFor(q => q.Tag).Must(t => string.IsNullOrEmpty(t) || Ticket.IsTag(t))
            .WithMessage("'tag' must be a tag (1-50 of a-z, 0-9, - _ . :).");
        RuleFor(q => q.CreatedFrom).Must(BeAnInstantOrDate).WithMessage(DateMessage("createdFrom"));
        RuleFor(q => q.CreatedTo).Must(BeAnInstantOrDate).WithMessage(DateMessage("createdTo"));
        RuleFor(q => q.UpdatedFrom).Must(BeAnInstantOrDate).WithMessage(DateMessage("updatedFrom"));
        RuleFor(q => q.UpdatedTo).Must(BeAnInstantOrDate).WithMessage(DateMessage("updatedTo"));
        RuleFor(q => q.Page).Must(p => p is null || int.TryParse(p, out var n) && n >= 1).WithMessage("'page' must be a whole number from 1.");
        RuleFor(q => q.PageSize).Must(s => s is null || int.TryParse(s, out var n) && n is >= 1 and <= SearchTickets.MaxPageSize)
            .WithMessage($"'pageSize' must be a whole number from 1 to {SearchTickets.MaxPageSize}.");
    }


    private static bool BeAnInstantOrDate(string? value) => string.IsNullOrEmpty(value) || SearchBound.Parse(value) is not null;

    private static string DateMessage(string field) =>
        $"'{field}' must be an ISO-8601 instant (2026-03-02T09:00:00Z, or with an offset) or a date (2026-03-02, UTC).";
}

/// <summary>The instants a range filter names: an ISO-8601 instant (Z or an offset) or a date, its whole day in UTC.</summary>
public static class SearchBound
{
    /// <summary>The instant <paramref name="value"/> names (a date: its first instant), null when it names none.</summary>
    public static Instant? Parse(string value)
    {
        var text = value.Trim();
        if (InstantPattern.ExtendedIso.Parse(text) is { Success: true } instant) return instant.Value;
        if (OffsetDateTimePattern.ExtendedIso.Parse(text) is { Success: true } offset) return offset.Value.ToInstant();
        return Reporting.ReportPeriod.ParseDate(text)?.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
    }

    /// <summary>The inclusive lower bound of a "from" filter.</summary>
    public static Instant? From(string? value) => string.IsNullOrWhiteSpace(value) ? null : Parse(value);

    /// <summary>The exclusive upper bound of a "to" filter: just after the instant named, or the start of the day after the date named.</summary>
    public static Instant? Before(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (Reporting.ReportPeriod.ParseDate(value) is { } date) return date.PlusDays(1).AtStartOfDayInZone(DateTimeZone.Utc).ToInstant();
        return Parse(value) + Duration.Epsilon;
    }
}

public sealed class SearchTicketsHandler(HelpDeskDbContext db, Caller caller, Microsoft.Extensions.Options.IOptions<SearchOptions> options) : IQueryHandler<SearchTickets, SearchPage>
{
    private sealed class Hit
    {
        public int Number { get; set; }
        public double Score { get; set; }
    }

    public async ValueTask<SearchPage> Handle(SearchTickets query, CancellationToken ct)
    {
        // The ticket API's visibility: only tickets of the caller's teams exist, in the items and in the total alike.
        var tickets = db.Tickets.AsNoTracking().VisibleTo(await caller.VisibleTeamsAsync(ct));
        tickets = await FilterAsync(tickets, query, ct);
        var terms = SearchText.Terms(query.Q);
        var ranked = Ranked(db, tickets, terms);
        var (page, size, window) = (query.PageNumber, query.PageLength, options.Value.RankedWindow);
        var from = (long)(page - 1) * size;
        var numbers = new List<int>();
        // The result order: the newest `window` hits ranked (score, then most recently updated), then every older hit
        // newest first. Each page ranks at most window + 1 rows and counts no further than it needs (docs/search.md).
        long known = 0;
        var exact = false;
        if (from < window)
        {
            var head = await Head(ranked, window).ToListAsync(ct);
            exact = head.Count <= window;
            known = Math.Min(head.Count, window);
            numbers.AddRange(head.Take(window).OrderByDescending(r => r.Score).ThenByDescending(r => r.UpdatedAt).ThenByDescending(r => r.Number)
                .Skip((int)from).Take(size).Select(r => r.Number));
        }
        // More than `window` hits: the hit after this page's last exists.
        var hasMore = !exact || from + size < known;
        if (!exact && numbers.Count < size)
        {
            // Past the ranked head: older hits in number order, one more than the page needs to tell whether another page follows.
            var start = Math.Max(from, window);
            var need = size - numbers.Count;
            var rest = await Older(ranked, start, need + 1).ToListAsync(ct);
            numbers.AddRange(rest.Take(need));
            hasMore = rest.Count > need;
            if (rest.Count > 0 || start == known)
                (known, exact) = (start + Math.Min(rest.Count, need), !hasMore);
            else
            {
                // A page past the last hit: count as far as the ranked head would.
                var counted = await ranked.Select(r => r.Number).Take(window + 1).CountAsync(ct);
                (known, exact) = (Math.Min(counted, window), counted <= window);
            }
        }
        return new SearchPage(query.Q ?? "", (int)Math.Min(known, int.MaxValue), exact, hasMore, page, size, await ItemsAsync(numbers, terms, ct));
    }

    /// <summary>The newest <paramref name="window"/> + 1 hits with their scores: a page within the window ranks the first <paramref name="window"/>; the one more says whether the count goes on.</summary>
    public static IQueryable<RankedTicket> Head(IQueryable<RankedTicket> ranked, int window) => ranked.OrderByDescending(r => r.Number).Take(window + 1);

    /// <summary>The numbers of <paramref name="count"/> hits from position <paramref name="start"/> in newest-first order (past the ranked window).</summary>
    public static IQueryable<int> Older(IQueryable<RankedTicket> ranked, long start, int count) =>
        ranked.OrderByDescending(r => r.Number).Skip((int)Math.Min(start, int.MaxValue)).Take(count).Select(r => r.Number);

    /// <summary>The tickets among <paramref name="tickets"/> that contain every term, with their score (every ticket, scored 0, without terms).</summary>
    public static IQueryable<RankedTicket> Ranked(HelpDeskDbContext db, IQueryable<Ticket> tickets, IReadOnlyList<string> terms)
    {
        if (terms.Count == 0) return tickets.Select(t => new RankedTicket { Number = t.Number, Score = 0.0, UpdatedAt = t.UpdatedAt });
        var (sql, parameters) = db.Sql.Search.Matches(terms);
        // Number from the hit, so "newest first" is the full-text index's own order (FTS5 walks its rowids backwards).
        return from hit in db.Database.SqlQueryRaw<Hit>(sql, parameters)
               join t in tickets on hit.Number equals t.Number
               select new RankedTicket { Number = hit.Number, Score = hit.Score, UpdatedAt = t.UpdatedAt };
    }

    public sealed class RankedTicket
    {
        public int Number { get; init; }
        public double Score { get; init; }
        public Instant UpdatedAt { get; init; }
    }

    private async Task<IQueryable<Ticket>> FilterAsync(IQueryable<Ticket> tickets, SearchTickets query, CancellationToken ct)
    {
        if (query.Status is { Count: > 0 })
        {
            var statuses = query.Status.Select(Vocabulary.ParseStatus).Distinct().ToList();
            tickets = tickets.Where(t => statuses.Contains(t.Status));
        }
        if (!string.IsNullOrWhiteSpace(query.Team))
        {
            var teamId = await db.TeamIdAsync(query.Team, ct);
            tickets = tickets.Where(t => t.TeamId == teamId);
        }
        if (!string.IsNullOrWhiteSpace(query.Priority))
        {
            var priority = Vocabulary.ParsePriority(query.Priority);
            tickets = tickets.Where(t => t.Priority == priority);
        }
        if (!string.IsNullOrWhiteSpace(query.Channel))
        {
            var channel = Vocabulary.ParseChannel(query.Channel);
            tickets = tickets.Where(t => t.Channel == channel);
        }
        tickets = await tickets.AssignedAsync(string.IsNullOrWhiteSpace(query.Assignee) ? null : query.Assignee.Trim(), caller, db, ct);
        if (!string.IsNullOrWhiteSpace(query.Requester))
        {
            var email = EmailAddress.Normalise(query.Requester);
            var requesterId = await db.Customers.Where(c => c.Email == email).Select(c => (Guid?)c.Id).SingleOrDefaultAsync(ct);
            tickets = tickets.Where(t => t.RequesterId == requesterId);
        }
        if (!string.IsNullOrWhiteSpace(query.Tag))
        {
            var tag = Ticket.NormaliseTag(query.Tag);
            tickets = tickets.Where(t => EF.Property<List<string>>(t, "_tags").Contains(tag));
        }
        if (SearchBound.From(query.CreatedFrom) is { } createdFrom) tickets = tickets.Where(t => t.CreatedAt >= createdFrom);
        if (SearchBound.Before(query.CreatedTo) is { } createdBefore) tickets = tickets.Where(t => t.CreatedAt < createdBefore);
        if (SearchBound.From(query.UpdatedFrom) is { } updatedFrom) tickets = tickets.Where(t => t.UpdatedAt >= updatedFrom);
        if (SearchBound.Before(query.UpdatedTo) is { } updatedBefore) tickets = tickets.Where(t => t.UpdatedAt < updatedBefore);
        return tickets;
    }

    private async Task<IReadOnlyList<SearchItem>> ItemsAsync(List<int> numbers, IReadOnlyList<string> terms, CancellationToken ct)
    {
        if (numbers.Count == 0) return [];
        var tickets = await db.Tickets.AsNoTracking().Where(t => numbers.Contains(t.Number)).ToListAsync(ct);
        var ids = tickets.Select(t => t.Id).ToList();
        var teamIds = tickets.Select(t => t.TeamId).Distinct().ToList();
        var teams = await db.Teams.Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var customerIds = tickets.Select(t => t.RequesterId).Distinct().ToList();
        var customers = await db.Customers.AsNoTracking().Where(c => customerIds.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var agentIds = tickets.Where(t => t.AssigneeId != null).Select(t => t.AssigneeId!.Value).Distinct().ToList();
        var agents = await db.Agents.Where(a => agentIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, ct);
        var articles = (await db.Articles.AsNoTracking().Where(a => ids.Contains(a.TicketId))
            .Select(a => new { a.TicketId, a.BodyText, a.CreatedAt, a.Id }).ToListAsync(ct))
            .OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).ToLookup(a => a.TicketId, a => a.BodyText);
        var attachments = (await db.Set<MailAttachment>().AsNoTracking().Where(a => ids.Contains(a.TicketId))
            .Select(a => new { a.TicketId, a.FileName }).ToListAsync(ct)).ToLookup(a => a.TicketId, a => a.FileName);

        var position = numbers.Select((n, i) => (n, i)).ToDictionary(x => x.n, x => x.i);
        return tickets.OrderBy(t => position[t.Number]).Select(t =>
        {
            var requester = customers.GetValueOrDefault(t.RequesterId);
            // Where the words were found, in the order a reader would look: the thread, the files, then what the row shows anyway.
            var texts = articles[t.Id].Concat(attachments[t.Id])
                .Concat([t.Subject, requester?.Name ?? "", requester?.Email ?? "", string.Join(' ', t.Tags)]);
            return new SearchItem(t.Number, t.Subject, Vocabulary.Name(t.Status), Vocabulary.Name(t.Priority), teams.GetValueOrDefault(t.TeamId) ?? "",
                new SearchRequester(requester?.Name, requester?.Email ?? ""), t.AssigneeId is { } a ? agents.GetValueOrDefault(a) : null, t.UpdatedAt,
                Snippets.Of(texts, terms));
        }).ToList();
    }
}
