using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Search;

/// <summary>What a rebuild did: documents derived, and how many of them differed from the stored ones (drift, or none yet).</summary>
public sealed record SearchRebuildResult(int Documents, int Rewritten);

/// <summary>
/// <c>helpdesk search rebuild</c>: derives every ticket's document again (<see cref="SearchDocuments.BuildAsync"/>, the
/// same derivation the unit of work uses), rewrites those that differ, then has the provider re-derive its full-text
/// index from the documents. Batches by ticket number, one transaction each, so it can be stopped and run again; a ticket
/// changed meanwhile writes its own document anyway. After an upgrade to the search migration it fills the index.
/// </summary>
public sealed class SearchRebuild(HelpDeskDbContext db)
{
    public const int BatchSize = 1_000;

    public async Task<SearchRebuildResult> RunAsync(Action<int, int>? progress, CancellationToken ct)
    {
        var total = await db.Tickets.CountAsync(ct);
        var (done, rewritten, after) = (0, 0, 0);
        while (true)
        {
            var batch = await db.InTransactionAsync(async token =>
            {
                var ids = await db.Tickets.AsNoTracking().Where(t => t.Number > after).OrderBy(t => t.Number).Take(BatchSize)
                    .Select(t => new { t.Id, t.Number }).ToListAsync(token);
                if (ids.Count == 0) return (Count: 0, Last: after, Changed: 0);
                var (first, last) = (ids[0].Number, ids[^1].Number);
                var stored = await db.Set<SearchDocument>().Where(d => d.Number >= first && d.Number <= last).ToDictionaryAsync(d => d.Number, token);
                var changed = 0;
                foreach (var document in await SearchDocuments.BuildAsync(db, ids.Select(t => t.Id).ToList(), token))
                {
                    if (!stored.TryGetValue(document.Number, out var row))
                    {
                        db.Add(document);
                        changed++;
                    }
                    else if (row.Title != document.Title || row.Body != document.Body || row.TicketId != document.TicketId)
                    {
                        (row.Title, row.Body, row.TicketId) = (document.Title, document.Body, document.TicketId);
                        changed++;
                    }
                }
                await db.SaveChangesAsync(token);
                return (Count: ids.Count, Last: last, Changed: changed);
            }, ct);
            if (batch.Count == 0) break;
            (done, rewritten, after) = (done + batch.Count, rewritten + batch.Changed, batch.Last);
            progress?.Invoke(done, total);
        }
        db.ChangeTracker.Clear();
        if (db.Sql.Search.RebuildIndex is { } rebuild) await db.Database.ExecuteSqlRawAsync(rebuild, ct);
        if (db.Sql.Search.CheckIndex is { } check) await db.Database.ExecuteSqlRawAsync(check, ct);
        return new SearchRebuildResult(done, rewritten);
    }
}
