using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Search;

/// <summary>What a pass does: re-derive every document, write only the missing ones, or compare without writing.</summary>
public enum SearchRebuildMode
{
    /// <summary><c>helpdesk search rebuild</c>: every document, rewriting those that differ, then the provider's full-text index.</summary>
    Rebuild,
    /// <summary>The backfill (<see cref="SearchBackfill"/>): only tickets without a document (after an upgrade, or rows written past EF).</summary>
    Missing,
    /// <summary><c>helpdesk search rebuild --check</c>: derive and compare every document, write nothing.</summary>
    Check,
}

/// <summary>
/// What a pass found: documents derived, how many were missing, how many stored ones differed, and (<see cref="SearchRebuildMode.Check"/>
/// writes nothing) whether they were written.
/// </summary>
public sealed record SearchRebuildResult(int Documents, int Missing, int Differing)
{
    /// <summary>Documents written (or, for a check, that a rebuild would write).</summary>
    public int Rewritten => Missing + Differing;
}

/// <summary>
/// Re-derives tickets' documents (<see cref="SearchDocuments.BuildAsync"/>, the same derivation the unit of work uses) in
/// batches by ticket number, one transaction each, so a pass can be stopped and run again (the next finds what is left);
/// a ticket changed meanwhile writes its own document anyway. <see cref="SearchRebuildMode.Rebuild"/> then has the
/// provider re-derive its full-text index from the documents and check it.
/// </summary>
public sealed class SearchRebuild(HelpDeskDbContext db)
{
    public const int BatchSize = 1_000;

    public Task<SearchRebuildResult> RunAsync(Action<int, int>? progress, CancellationToken ct) => RunAsync(SearchRebuildMode.Rebuild, progress, ct);

    public async Task<SearchRebuildResult> RunAsync(SearchRebuildMode mode, Action<int, int>? progress, CancellationToken ct)
    {
        var total = await Candidates(mode).CountAsync(ct);
        var (done, missing, differing, after) = (0, 0, 0, 0);
        while (true)
        {
            var batch = await db.InTransactionAsync(async token =>
            {
                var ids = await Candidates(mode).Where(t => t.Number > after).OrderBy(t => t.Number).Take(BatchSize)
                    .Select(t => new { t.Id, t.Number }).ToListAsync(token);
                if (ids.Count == 0) return (Count: 0, Last: after, Missing: 0, Differing: 0);
                var (first, last) = (ids[0].Number, ids[^1].Number);
                var stored = await db.Set<SearchDocument>().Where(d => d.Number >= first && d.Number <= last).ToDictionaryAsync(d => d.Number, token);
                var (absent, changed) = (0, 0);
                foreach (var document in await SearchDocuments.BuildAsync(db, ids.Select(t => t.Id).ToList(), token))
                {
                    if (!stored.TryGetValue(document.Number, out var row))
                    {
                        db.Add(document);
                        absent++;
                    }
                    else if (row.Title != document.Title || row.Body != document.Body || row.TicketId != document.TicketId)
                    {
                        (row.Title, row.Body, row.TicketId) = (document.Title, document.Body, document.TicketId);
                        changed++;
                    }
                }
                if (mode == SearchRebuildMode.Check) db.ChangeTracker.Clear();
                else await db.SaveChangesAsync(token);
                return (Count: ids.Count, Last: last, Missing: absent, Differing: changed);
            }, ct);
            db.ChangeTracker.Clear();
            if (batch.Count == 0) break;
            (done, missing, differing, after) = (done + batch.Count, missing + batch.Missing, differing + batch.Differing, batch.Last);
            progress?.Invoke(done, total);
        }
        if (mode == SearchRebuildMode.Rebuild)
        {
            if (db.Sql.Search.RebuildIndex is { } rebuild) await db.Database.ExecuteSqlRawAsync(rebuild, ct);
            if (db.Sql.Search.CheckIndex is { } check) await db.Database.ExecuteSqlRawAsync(check, ct);
        }
        return new SearchRebuildResult(done, missing, differing);
    }

    /// <summary>Tickets without a search document: 0 when the index is complete (the health figure; one anti-join over the tickets).</summary>
    public Task<int> CountMissingAsync(CancellationToken ct) => Candidates(SearchRebuildMode.Missing).CountAsync(ct);

    private IQueryable<Ticket> Candidates(SearchRebuildMode mode) =>
        mode == SearchRebuildMode.Missing
            ? db.Tickets.AsNoTracking().Where(t => !db.Set<SearchDocument>().Any(d => d.Number == t.Number))
            : db.Tickets.AsNoTracking();
}
