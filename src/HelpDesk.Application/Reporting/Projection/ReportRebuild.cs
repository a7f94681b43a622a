using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Domain.Sla;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Reporting.Projection;

/// <summary>
/// Re-projects every ticket's reporting rows from its ledger (ADR 0007): after an upgrade that changes a definition, or
/// for a database from before the projection. Works in batches by ticket number, one transaction each, so it can be
/// stopped and run again; tickets changed meanwhile are projected by their own change anyway.
/// </summary>
public sealed class ReportRebuild(HelpDeskDbContext db, SlaConfigurationCache cache, IClock clock)
{
    public const int BatchSize = 500;

    /// <returns>The number of tickets projected.</returns>
    public async Task<int> RunAsync(Action<int, int>? progress, CancellationToken ct)
    {
        var total = await db.Tickets.CountAsync(ct);
        var done = 0;
        var after = 0;
        while (true)
        {
            db.ChangeTracker.Clear();
            var tickets = await db.Tickets.AsNoTracking().Include(t => t.History)
                .Where(t => t.Number > after).OrderBy(t => t.Number).Take(BatchSize).AsSplitQuery().ToListAsync(ct);
            if (tickets.Count == 0) break;
            var (first, last) = (tickets[0].Number, tickets[^1].Number);
            var rows = await db.Set<ReportTicket>().Include(r => r.Cycles)
                .Where(r => r.Number >= first && r.Number <= last).AsSplitQuery().ToDictionaryAsync(r => r.TicketId, ct);
            var configuration = await cache.GetAsync(db, ct);
            var now = clock.GetCurrentInstant();
            foreach (var ticket in tickets)
            {
                if (!rows.TryGetValue(ticket.Id, out var row))
                {
                    row = new ReportTicket { TicketId = ticket.Id };
                    db.Add(row);
                }
                ReportProjector.Apply(row, ticket, TicketSla.Evaluate(ticket, configuration, now));
            }
            await db.SaveChangesAsync(ct);
            done += tickets.Count;
            after = last;
            progress?.Invoke(done, total);
        }
        db.ChangeTracker.Clear();
        return done;
    }
}
