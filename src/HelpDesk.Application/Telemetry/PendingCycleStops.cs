using System.Data.Common;
using HelpDesk.Application.Reporting;
using HelpDesk.Application.Reporting.Projection;
using HelpDesk.Domain.Sla;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Application.Telemetry;

/// <summary>
/// Cycles stopped by changes of the current scope that are not committed yet, recorded by the instruments once they are.
/// A subscriber of the unit of work (<see cref="CycleStopsInterceptor"/>), so no path that changes tickets has to know
/// it: <see cref="ReportProjector"/> leaves what it saw on the row (<see cref="ReportTicket.CycleNotes"/>); a successful
/// SaveChanges takes those notes into the transaction's pending stops (or records them at once when it committed by
/// itself); rolling back to a savepoint forgets what was noted after it (a mail batch's failed message); a rollback, or
/// a unit of work that starts again, forgets everything pending; a commit records it. Keyed by cycle, so projecting the
/// same ticket twice before the commit records a stop once.
/// </summary>
public sealed class PendingCycleStops(HelpDeskTelemetry instruments)
{
    private readonly Dictionary<(Guid, SlaMetric, int), StoppedCycle> _pending = [];
    private readonly Stack<Dictionary<(Guid, SlaMetric, int), StoppedCycle>> _savepoints = [];
    private List<(Guid TicketId, (SlaMetric Metric, int Cycle) Key, StoppedCycle? Stop)> _saving = [];

    internal void Saving(DbContext context)
    {
        _saving = [];
        // Every row the projector noted on is tracked already (loaded or added): no need to detect changes twice per save.
        var detect = context.ChangeTracker.AutoDetectChangesEnabled;
        context.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var entry in context.ChangeTracker.Entries<ReportTicket>())
            {
                var row = entry.Entity;
                foreach (var (key, stop) in row.CycleNotes) _saving.Add((row.TicketId, key, stop));
                row.CycleNotes.Clear();
            }
        }
        finally
        {
            context.ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    internal void Saved(DbContext context)
    {
        var saved = _saving;
        _saving = [];
        if (context.Database.CurrentTransaction is null)
        {
            // Committed by SaveChanges itself; nothing else can be pending outside a transaction.
            Forget();
            instruments.Record(saved.Where(n => n.Stop is not null).Select(n => n.Stop!));
            return;
        }
        foreach (var (ticketId, (metric, cycle), stop) in saved)
            if (stop is null) _pending.Remove((ticketId, metric, cycle));
            else _pending[(ticketId, metric, cycle)] = stop;
    }

    internal void SaveFailed() => _saving = [];

    internal void SavepointCreated() => _savepoints.Push(new Dictionary<(Guid, SlaMetric, int), StoppedCycle>(_pending));

    internal void RolledBackToSavepoint()
    {
        if (!_savepoints.TryPeek(out var mark)) return;
        _pending.Clear();
        foreach (var (key, stop) in mark) _pending[key] = stop;
    }

    internal void SavepointReleased() => _savepoints.TryPop(out _);

    internal void Committed()
    {
        var stops = _pending.Values.ToList();
        Forget();
        instruments.Record(stops);
    }

    /// <summary>A transaction that starts (a retried unit of work too), or one rolled back: nothing of before is pending.</summary>
    internal void Forget()
    {
        _pending.Clear();
        _savepoints.Clear();
    }
}

/// <summary>
/// Hands a context's saves, savepoints and commits to the scope's <see cref="PendingCycleStops"/> (added by
/// <see cref="Persistence.HelpDeskDbContext"/> to every context; a context made without the application's services has
/// none and is ignored).
/// </summary>
public sealed class CycleStopsInterceptor : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    public static readonly CycleStopsInterceptor Instance = new();

    private CycleStopsInterceptor() { }

    private static Task Done(Action interception)
    {
        interception();
        return Task.CompletedTask;
    }

    private static PendingCycleStops? Of(DbContext? context) =>
        context?.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider?.GetService<PendingCycleStops>();

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } context) Of(context)?.Saving(context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default) =>
        ValueTask.FromResult(SavingChanges(eventData, result));

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is { } context) Of(context)?.Saved(context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default) =>
        ValueTask.FromResult(SavedChanges(eventData, result));

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Of(eventData.Context)?.SaveFailed();

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default) =>
        Done(() => SaveChangesFailed(eventData));

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Of(eventData.Context)?.Forget();
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken ct = default) =>
        ValueTask.FromResult(TransactionStarted(connection, eventData, result));

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Of(eventData.Context)?.Committed();

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default) =>
        Done(() => TransactionCommitted(transaction, eventData));

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Of(eventData.Context)?.Forget();

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default) =>
        Done(() => TransactionRolledBack(transaction, eventData));

    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => Of(eventData.Context)?.Forget();

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken ct = default) =>
        Done(() => TransactionFailed(transaction, eventData));

    public void CreatedSavepoint(DbTransaction transaction, TransactionEventData eventData) => Of(eventData.Context)?.SavepointCreated();

    public Task CreatedSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken ct = default) =>
        Done(() => CreatedSavepoint(transaction, eventData));

    public void RolledBackToSavepoint(DbTransaction transaction, TransactionEventData eventData) => Of(eventData.Context)?.RolledBackToSavepoint();

    public Task RolledBackToSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken ct = default) =>
        Done(() => RolledBackToSavepoint(transaction, eventData));

    public void ReleasedSavepoint(DbTransaction transaction, TransactionEventData eventData) => Of(eventData.Context)?.SavepointReleased();

    public Task ReleasedSavepointAsync(DbTransaction transaction, TransactionEventData eventData, CancellationToken ct = default) =>
        Done(() => ReleasedSavepoint(transaction, eventData));
}
