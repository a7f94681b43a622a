using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace HelpDesk.Application.Persistence;

/// <summary>
/// The one way to run work in a transaction (ADR 0009). Every provider is configured with a retrying execution strategy,
/// which refuses a transaction begun by hand; here the strategy wraps the whole unit, so a transient failure anywhere in
/// it (a read, a SaveChanges, the commit) rolls the unit back and runs it again from the start.
/// </summary>
/// <remarks>
/// What a caller must do: everything that decides what is written happens inside <c>work</c>: reads, new entities,
/// ticket numbers, lists of what was done (each attempt starts with a cleared change tracker, so nothing loaded or
/// created before it is tracked). Side effects (publishing events, hub pushes, waking the due-queue) happen after this
/// returns, from what the successful attempt returned, so a retry never doubles them. State outside the database that
/// <c>work</c> changes must be reset at the start of <c>work</c>.
/// </remarks>
public static class UnitOfWork
{
    /// <summary>
    /// How often, and at most how far apart, the server providers' strategies (PostgreSQL, SQL Server) retry: 6 times,
    /// at most 1 s apart, about 5 s in all. Enough for a serialization failure or a deadlock; a server that is down
    /// makes an API request fail within about the <c>Retry-After</c> the 503 announces (5 s), not after EF's default of
    /// up to 30 s apart (about a minute held, past a reverse proxy's timeout). Background work tries again at its next tick.
    /// </summary>
    public const int ServerMaxRetries = 6;

    /// <inheritdoc cref="ServerMaxRetries"/>
    public static readonly TimeSpan ServerMaxRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="work"/> in a transaction and commits it, retried as a whole on a transient failure.</summary>
    public static Task<T> InTransactionAsync<T>(this HelpDeskDbContext db, Func<CancellationToken, Task<T>> work, CancellationToken ct) =>
        db.InTransactionAsync((_, token) => work(token), ct);

    /// <inheritdoc cref="InTransactionAsync{T}(HelpDeskDbContext, Func{CancellationToken, Task{T}}, CancellationToken)"/>
    public static Task InTransactionAsync(this HelpDeskDbContext db, Func<CancellationToken, Task> work, CancellationToken ct) =>
        db.InTransactionAsync(async (_, token) =>
        {
            await work(token);
            return true;
        }, ct);

    /// <summary>
    /// As <see cref="InTransactionAsync{T}(HelpDeskDbContext, Func{CancellationToken, Task{T}}, CancellationToken)"/>,
    /// for work that also runs its own ADO.NET commands on the context's connection: it gets the transaction to enlist
    /// them in (EF's own queries and SaveChanges inside the unit use it already).
    /// </summary>
    public static Task<T> InTransactionAsync<T>(this HelpDeskDbContext db, Func<DbTransaction, CancellationToken, Task<T>> work, CancellationToken ct) =>
        db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            db.ChangeTracker.Clear();
            await using var tx = await db.Database.BeginTransactionAsync(token);
            var result = await work(tx.GetDbTransaction(), token);
            await tx.CommitAsync(token);
            return result;
        }, ct);

    /// <summary>
    /// Whether the context's execution strategy retries <paramref name="exception"/>: work that catches exceptions inside
    /// a unit (a savepoint per item) must let these through, or the unit is not retried.
    /// </summary>
    public static bool IsTransient(this HelpDeskDbContext db, Exception exception) =>
        ExecutionStrategy.CallOnWrappedException(exception, e => db.Database.CreateExecutionStrategy() switch
        {
            ITransientFailureDetector detector => detector.IsTransient(e),
            { RetriesOnFailure: true } => e is DbException { IsTransient: true },
            _ => false,
        });
}

/// <summary>
/// Implemented by the retrying execution strategies the hosts configure: what they retry (their <c>ShouldRetryOn</c>),
/// so <see cref="UnitOfWork.IsTransient"/> answers exactly as the strategy decides.
/// </summary>
public interface ITransientFailureDetector
{
    bool IsTransient(Exception exception);
}
