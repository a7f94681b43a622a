using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Search;

/// <summary>
/// A ticket's searchable text, normalised (<see cref="SearchText"/>), one row a ticket, written in the transaction that
/// changes what it is derived from (<see cref="SearchIndexing"/>). The database indexes it (SQLite FTS5 trigram,
/// PostgreSQL pg_trgm, SQL Server LIKE: <see cref="ProviderSql"/>). Keyed by the ticket number, which SQLite's full-text
/// table uses as its rowid.
/// </summary>
public sealed class SearchDocument
{
    public int Number { get; set; }
    public Guid TicketId { get; set; }
    /// <summary>Number, subject, requester name and address, tags: what ranks highest.</summary>
    public string Title { get; set; } = "";
    /// <summary>Every article's text (customer, agent, internal notes) and the names of attachments.</summary>
    public string Body { get; set; } = "";

    /// <summary>The document of one ticket: the one derivation, used by the unit of work, the rebuild and the bulk seed.</summary>
    public static SearchDocument For(Guid ticketId, int number, string subject, IEnumerable<string> tags, string? requesterName,
        string? requesterEmail, IEnumerable<string> articleTexts, IEnumerable<string> attachmentNames) => new()
    {
        Number = number,
        TicketId = ticketId,
        Title = SearchText.Normalise(string.Join('\n', new[] { number.ToString(System.Globalization.CultureInfo.InvariantCulture), subject,
            requesterName ?? "", requesterEmail ?? "" }.Concat(tags))),
        Body = SearchText.Normalise(string.Join('\n', articleTexts.Concat(attachmentNames))),
    };

    /// <summary>
    /// The document of a ticket built in memory with its articles and no attachments, for rows inserted without EF (the
    /// bulk seed, the bench's loader), which pass by <see cref="SearchIndexing"/>: articles oldest first, as
    /// <see cref="SearchDocuments.BuildAsync"/> orders them.
    /// </summary>
    public static SearchDocument Of(Ticket ticket, Customer requester) =>
        For(ticket.Id, ticket.Number, ticket.Subject, ticket.Tags, requester.Name, requester.Email,
            ticket.Articles.OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).Select(a => a.BodyText), []);
}

/// <summary>Builds documents from the database with the context's pending changes laid over it (tracked entities win).</summary>
public static class SearchDocuments
{
    private sealed record Text(Guid Id, Guid TicketId, string Value, long Order);

    public static async Task<List<SearchDocument>> BuildAsync(HelpDeskDbContext db, IReadOnlyCollection<Guid> ticketIds, CancellationToken ct)
    {
        if (ticketIds.Count == 0) return [];
        var ids = ticketIds.ToList();
        var tracker = db.ChangeTracker;

        var tickets = tracker.Entries<Ticket>().Where(e => e.State != EntityState.Deleted && ticketIds.Contains(e.Entity.Id))
            .ToDictionary(e => e.Entity.Id, e => e.Entity);
        var untracked = ids.Where(id => !tickets.ContainsKey(id)).ToList();
        if (untracked.Count > 0)
            foreach (var t in await db.Tickets.AsNoTracking().Where(t => untracked.Contains(t.Id)).ToListAsync(ct))
                tickets[t.Id] = t;

        var customerIds = tickets.Values.Select(t => t.RequesterId).Distinct().ToList();
        var customers = tracker.Entries<Customer>().Where(e => e.State != EntityState.Deleted && customerIds.Contains(e.Entity.Id))
            .ToDictionary(e => e.Entity.Id, e => (e.Entity.Name, e.Entity.Email));
        var unknown = customerIds.Where(id => !customers.ContainsKey(id)).ToList();
        if (unknown.Count > 0)
            foreach (var c in await db.Customers.AsNoTracking().Where(c => unknown.Contains(c.Id)).Select(c => new { c.Id, c.Name, c.Email }).ToListAsync(ct))
                customers[c.Id] = (c.Name, c.Email);

        var articles = Overlay(
            (await db.Articles.AsNoTracking().Where(a => ids.Contains(a.TicketId))
                .Select(a => new { a.Id, a.TicketId, a.BodyText, a.CreatedAt }).ToListAsync(ct))
                .Select(a => new Text(a.Id, a.TicketId, a.BodyText, a.CreatedAt.ToUnixTimeTicks())),
            tracker.Entries<Article>().Where(e => ticketIds.Contains(e.Entity.TicketId))
                .Select(e => (e.State, new Text(e.Entity.Id, e.Entity.TicketId, e.Entity.BodyText, e.Entity.CreatedAt.ToUnixTimeTicks()))));
        var attachments = Overlay(
            (await db.Set<MailAttachment>().AsNoTracking().Where(a => ids.Contains(a.TicketId))
                .Select(a => new { a.Id, a.TicketId, a.FileName }).ToListAsync(ct)).Select(a => new Text(a.Id, a.TicketId, a.FileName, 0)),
            tracker.Entries<MailAttachment>().Where(e => ticketIds.Contains(e.Entity.TicketId))
                .Select(e => (e.State, new Text(e.Entity.Id, e.Entity.TicketId, e.Entity.FileName, 0))));

        return tickets.Values.Select(t =>
        {
            var requester = customers.GetValueOrDefault(t.RequesterId);
            return SearchDocument.For(t.Id, t.Number, t.Subject, t.Tags, requester.Name, requester.Email,
                Ordered(articles, t.Id), Ordered(attachments, t.Id));
        }).ToList();
    }

    // Articles oldest first, attachments by name; ties by id, so the same rows always give the same document.
    private static IEnumerable<string> Ordered(ILookup<Guid, Text> texts, Guid ticketId) =>
        texts[ticketId].OrderBy(t => t.Order).ThenBy(t => t.Order == 0 ? t.Value : "", StringComparer.Ordinal).ThenBy(t => t.Id).Select(t => t.Value);

    private static ILookup<Guid, Text> Overlay(IEnumerable<Text> stored, IEnumerable<(EntityState State, Text Text)> tracked)
    {
        var rows = stored.ToDictionary(t => t.Id);
        foreach (var (state, text) in tracked)
        {
            if (state is EntityState.Deleted or EntityState.Detached) rows.Remove(text.Id);
            else rows[text.Id] = text;
        }
        return rows.Values.ToLookup(t => t.TicketId);
    }
}
