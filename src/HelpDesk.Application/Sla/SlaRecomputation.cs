using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Sla;

/// <summary>
/// After a policy or calendar edit, recomputes the running cycles of every ticket that is not solved or closed:
/// policy re-selection, due instants and next alerts. Stopped cycles keep their outcome (the engine guarantees it);
/// the version change is part of each ticket's ledger through the configuration history.
/// </summary>
public sealed class SlaRecomputation(HelpDeskDbContext db, SlaConfigurationCache cache, SlaScheduler scheduler)
{
    private const int BatchSize = 2000;

    /// <returns>How many tickets were recomputed.</returns>
    public async Task<int> RecomputeOpenTicketsAsync(Instant now, CancellationToken ct)
    {
        var configuration = await cache.GetAsync(db, ct);
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var count = 0;
        var after = 0;
        while (true)
        {
            var (recomputed, last) = await RecomputeBatchAsync(configuration, teams, after, now, ct);
            if (recomputed == 0) return count;
            count += recomputed;
            after = last;
        }
    }

    private async Task<(int Count, int Last)> RecomputeBatchAsync(SlaConfiguration configuration, IReadOnlyDictionary<Guid, string> teams,
        int after, Instant now, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var batch = await db.Tickets.Include(t => t.History).AsSplitQuery()
                .Where(t => t.Number > after && t.Status != TicketStatus.Solved && t.Status != TicketStatus.Closed)
                .OrderBy(t => t.Number).Take(BatchSize).ToListAsync(ct);
            if (batch.Count == 0) return (0, after);
            var ids = batch.Select(t => t.Id).ToList();
            var requesterIds = batch.Select(t => t.RequesterId).Distinct().ToList();
            var organisations = await db.Customers.Where(c => requesterIds.Contains(c.Id) && c.Organisation != null)
                .ToDictionaryAsync(c => c.Id, c => c.Organisation, ct);
            var fired = (await db.SlaAlerts.Where(a => ids.Contains(a.TicketId))
                    .Select(a => new { a.TicketId, a.Metric, a.Cycle, a.Percent }).ToListAsync(ct))
                .ToLookup(a => a.TicketId, a => (a.Metric, a.Cycle, a.Percent));
            foreach (var ticket in batch)
            {
                var facts = SlaScheduler.FactsOf(ticket, teams.GetValueOrDefault(ticket.TeamId, ""), organisations.GetValueOrDefault(ticket.RequesterId));
                await scheduler.RecomputeAsync(ticket, configuration, facts, fired[ticket.Id].ToHashSet(), now, ct);
            }
            try
            {
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                return (batch.Count, batch[^1].Number);
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                // An agent changed one of these tickets meanwhile; its own handler rescheduled it. Redo the batch.
            }
        }
    }
}
