using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Common;

/// <summary>Who this process is when it holds a lease. One per process (singleton).</summary>
public sealed record LeaseHolder(string Id)
{
    public static LeaseHolder ForThisProcess() => new($"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}");
}

/// <summary>
/// Time-limited claims on background work in the shared database, so exactly one node does it. Acquiring and renewing
/// are one conditional UPDATE (the row is mine, or it has expired); the first claim inserts the row and a lost insert
/// race is a refusal. A holder that stops renewing loses the lease when it expires.
/// </summary>
public sealed class LeaseManager(HelpDeskDbContext db, IClock clock, LeaseHolder holder)
{
    public string Holder => holder.Id;

    /// <summary>Takes or renews the lease until now + <paramref name="ttl"/>; false when another holder has it.</summary>
    public async Task<bool> TryAcquireAsync(string name, Duration ttl, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var until = now + ttl;
        var me = holder.Id;
        var updated = await db.Leases.Where(l => l.Name == name && (l.Holder == me || l.ExpiresAt < now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Holder, me).SetProperty(l => l.ExpiresAt, until), ct);
        if (updated > 0) return true;
        if (await db.Leases.AnyAsync(l => l.Name == name, ct)) return false;
        var lease = new Lease { Name = name, Holder = me, ExpiresAt = until };
        db.Leases.Add(lease);
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // Another node inserted the row first: it holds the lease.
            db.Entry(lease).State = EntityState.Detached;
            return false;
        }
    }

    /// <summary>Gives the lease up at once (on shutdown), so another node need not wait for it to expire.</summary>
    public Task ReleaseAsync(string name, CancellationToken ct) =>
        db.Leases.Where(l => l.Name == name && l.Holder == holder.Id).ExecuteDeleteAsync(ct);
}

/// <summary>
/// Lease calls for background services, which live longer than a scope: each call takes a scope (and so a DbContext)
/// of its own.
/// </summary>
public static class LeaseScopes
{
    public static async Task<bool> TryAcquireLeaseAsync(this IServiceScopeFactory scopes, string name, Duration ttl, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<LeaseManager>().TryAcquireAsync(name, ttl, ct);
    }

    /// <summary>Gives the lease up on shutdown (within 5 s); a lease that cannot be released expires by itself.</summary>
    public static async Task ReleaseLeaseAsync(this IServiceScopeFactory scopes, string name, ILogger logger)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await scope.ServiceProvider.GetRequiredService<LeaseManager>().ReleaseAsync(name, timeout.Token);
        }
        catch (Exception ex)
        {
            logger.LogWarning("Lease {Lease} not released ({Error}); it expires by itself", name, ex.Message);
        }
    }
}

/// <summary>
/// A lease a background service holds across passes: <see cref="TryHoldAsync"/> takes or renews it before a pass,
/// <see cref="KeepAsync"/> renews it within a long pass once a third of its lifetime has gone by (false: lost, stop).
/// Elapsed time is measured on this process's monotonic clock, so a clock step cannot skip a renewal. Taking and
/// losing the lease are logged: an operator sees which node does the work and when it moved.
/// </summary>
public sealed class HeldLease(IServiceScopeFactory scopes, string name, LeaseTerms terms, ILogger logger)
{
    private long _renewedAt = Stopwatch.GetTimestamp();
    private bool _held;

    public string Name => name;
    public LeaseTerms Terms => terms;

    public async Task<bool> TryHoldAsync(CancellationToken ct)
    {
        var asked = Stopwatch.GetTimestamp();
        var held = await scopes.TryAcquireLeaseAsync(name, terms.Ttl, ct);
        if (held) _renewedAt = asked;
        if (held != _held)
        {
            if (held) logger.LogInformation("This node now holds the lease {Lease}", name);
            else logger.LogWarning("This node lost the lease {Lease} to another node", name);
            _held = held;
        }
        return held;
    }

    public Task<bool> KeepAsync(CancellationToken ct) =>
        Stopwatch.GetElapsedTime(_renewedAt) < terms.RenewEvery ? Task.FromResult(true) : TryHoldAsync(ct);

    /// <summary>
    /// Runs <paramref name="work"/> while renewing the lease in the background every third of its lifetime, so one long
    /// step (a chunk of mail on a busy database) cannot outlast the lease and let a second node start the same work. The
    /// work's token is cancelled as soon as a renewal finds the lease taken; false then.
    /// </summary>
    public async Task<bool> HoldDuringAsync(Func<CancellationToken, Task> work, CancellationToken ct)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renewing = RenewUntilLostAsync(lost);
        try
        {
            await work(lost.Token);
            return true;
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            await lost.CancelAsync();
            await renewing;
        }
    }

    private async Task RenewUntilLostAsync(CancellationTokenSource lost)
    {
        while (!lost.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(terms.RenewEvery, lost.Token);
                if (!await TryHoldAsync(lost.Token)) await lost.CancelAsync();
            }
            catch (OperationCanceledException) when (lost.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database is unreachable: keep trying; if the lease expires meanwhile, the next renewal says so.
                logger.LogWarning("Lease {Lease} not renewed ({Error})", name, ex.Message);
            }
        }
    }

    public Task ReleaseAsync() => scopes.ReleaseLeaseAsync(name, logger);
}
