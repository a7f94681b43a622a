using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HelpDesk.Application.Search;

/// <summary>
/// Keeps <see cref="SearchDocument"/>s in step with the tickets inside the SaveChanges that changes them, so the index is
/// written in the same transaction as the change and cannot drift (ADR 0011). An interceptor every
/// <see cref="HelpDeskDbContext"/> carries (<c>OnConfiguring</c>), so no path that saves a ticket, an article, an
/// attachment or a customer through EF can skip it: the API's <c>TicketChanges</c>/<c>TicketCreation</c>, mail batches,
/// the due-queue. The bulk seed, which inserts rows without EF, writes the documents itself; a deleted ticket's document
/// goes with it (cascade).
/// </summary>
public sealed class SearchIndexing : SaveChangesInterceptor
{
    public static readonly SearchIndexing Instance = new();

    private SearchIndexing() { }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is HelpDeskDbContext db) await StageAsync(db, cancellationToken);
        return result;
    }

    // Nothing saves synchronously; should something start to, it still gets its documents.
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is HelpDeskDbContext db) StageAsync(db, CancellationToken.None).GetAwaiter().GetResult();
        return result;
    }

    /// <summary>Adds or updates the documents of every ticket whose searchable text this save changes.</summary>
    public static async Task StageAsync(HelpDeskDbContext db, CancellationToken ct)
    {
        db.ChangeTracker.DetectChanges();
        var tickets = new HashSet<Guid>();
        var deleted = new HashSet<Guid>();
        var requesters = new HashSet<Guid>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached) continue;
            switch (entry.Entity)
            {
                case Ticket t when entry.State == EntityState.Deleted: deleted.Add(t.Id); break;
                case Ticket t when entry.State == EntityState.Added || Changed(entry, nameof(Ticket.Subject), nameof(Ticket.RequesterId), "_tags"):
                    tickets.Add(t.Id);
                    break;
                case Article a: tickets.Add(a.TicketId); break;
                case MailAttachment m: tickets.Add(m.TicketId); break;
                case Customer c when entry.State == EntityState.Modified && Changed(entry, nameof(Customer.Name), nameof(Customer.Email)):
                    requesters.Add(c.Id);
                    break;
            }
        }
        if (requesters.Count > 0)
            tickets.UnionWith(await db.Tickets.AsNoTracking().Where(t => requesters.Contains(t.RequesterId)).Select(t => t.Id).ToListAsync(ct));
        tickets.ExceptWith(deleted);
        if (tickets.Count == 0) return;

        var documents = await SearchDocuments.BuildAsync(db, tickets, ct);
        var numbers = documents.Select(d => d.Number).ToList();
        var stored = (await db.Set<SearchDocument>().AsNoTracking().Where(d => numbers.Contains(d.Number)).Select(d => d.Number).ToListAsync(ct)).ToHashSet();
        var set = db.Set<SearchDocument>();
        foreach (var document in documents)
        {
            var tracked = db.ChangeTracker.Entries<SearchDocument>().FirstOrDefault(e => e.Entity.Number == document.Number);
            if (tracked is not null)
            {
                tracked.Property(d => d.Title).CurrentValue = document.Title;
                tracked.Property(d => d.Body).CurrentValue = document.Body;
            }
            else if (stored.Contains(document.Number))
            {
                var entry = set.Attach(document);
                entry.Property(d => d.Title).IsModified = true;
                entry.Property(d => d.Body).IsModified = true;
            }
            else set.Add(document);
        }
    }

    private static bool Changed(EntityEntry entry, params string[] properties) =>
        entry.State == EntityState.Modified && properties.Any(p => entry.Property(p).IsModified);
}
