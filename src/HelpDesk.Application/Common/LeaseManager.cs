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
