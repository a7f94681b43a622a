using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace HelpDesk.Application.Sla.DueQueue;

/// <summary>What one pass of the due-queue fired.</summary>
public sealed record DueQueueResult(IReadOnlyList<FiredAlert> Alerts, IReadOnlyList<FiredStep> Steps, int Notifications, int Failed)
{
    public bool IsEmpty => Alerts.Count == 0 && Steps.Count == 0;
}

/// <summary>
/// Fires what is due now. The only input is the database (<c>Tickets.SlaNextAlertAt</c>, indexed, and the rows of
/// SlaAlerts and EscalationFirings), so a restarted or another node carries on exactly where the last one stopped.
/// Each ticket gets its own scope and unit of work: one failure never blocks or rolls back the others.
/// Does not check the lease: <see cref="SlaDueQueueService"/> calls it only while it holds one; tests and benchmarks
/// call it directly with a fake clock.
/// </summary>
public sealed class SlaDueQueue(IServiceScopeFactory scopes, IClock clock, ILogger<SlaDueQueue> logger)
{
    public const int BatchSize = 100;
    public const int Parallelism = 4;

    public async Task<DueQueueResult> FireDueAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var alerts = new List<FiredAlert>();
        var steps = new List<FiredStep>();
        var notifications = 0;
        var failed = 0;
        var visited = new HashSet<int>();
        while (true)
        {
            var batch = (await DueNumbersAsync(now, ct)).Where(visited.Add).ToList();
            if (batch.Count == 0) break;
            // Tickets are independent units of work: overlap their reads and CPU work; the database serialises commits.
            await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct }, async (number, token) =>
            {
                var result = await FireTicketAsync(number, now, token);
                lock (alerts)
                {
                    if (result is null)
                    {
                        failed++;
                        return;
                    }
                    alerts.AddRange(result.Alerts);
                    steps.AddRange(result.Steps);
                    notifications += result.Notifications.Count;
                }
            });
        }
        return new DueQueueResult(alerts, steps, notifications, failed);
    }

    /// <summary>The earliest instant anything is due, or null when nothing is scheduled.</summary>
    public async Task<Instant?> NextDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        return await db.Tickets.Where(t => t.SlaNextAlertAt != null).OrderBy(t => t.SlaNextAlertAt).Select(t => t.SlaNextAlertAt).FirstOrDefaultAsync(ct);
    }

    private async Task<List<int>> DueNumbersAsync(Instant now, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        return await db.Tickets.Where(t => t.SlaNextAlertAt != null && t.SlaNextAlertAt <= now)
            .OrderBy(t => t.SlaNextAlertAt).Select(t => t.Number).Take(BatchSize).ToListAsync(ct);
    }

    /// <summary>
    /// A lost race (another node fired the same alert, or a command changed the ticket meanwhile) fails SaveChanges;
    /// the ticket is then loaded afresh and tried once more, which sees what the winner did. Anything else, or a
    /// second failure, is logged and the ticket is put back by <see cref="DueTicketProcessor.Backoff"/>.
    /// </summary>
    private async Task<DueTicketResult?> FireTicketAsync(int number, Instant now, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                return await scope.ServiceProvider.GetRequiredService<DueTicketProcessor>().FireAsync(number, now, ct);
            }
            catch (DbUpdateException ex) when (attempt == 1)
            {
                logger.LogInformation("Ticket #{Number} changed while its alerts fired ({Error}); trying again", number, ex.GetType().Name);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                logger.LogError(ex, "Firing due alerts of ticket #{Number} failed; trying again in {Backoff}", number, DueTicketProcessor.Backoff);
                await PostponeAsync(number, now + DueTicketProcessor.Backoff, ct);
                return null;
            }
        }
    }

    private async Task PostponeAsync(int number, Instant until, CancellationToken ct)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
            await db.Tickets.Where(t => t.Number == number)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.SlaNextAlertAt, (Instant?)until), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Could not postpone ticket #{Number}", number);
        }
    }
}
