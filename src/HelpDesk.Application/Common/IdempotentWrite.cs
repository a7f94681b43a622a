using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Common;

/// <summary>What a client was answered: status, <c>Location</c> and the JSON body, as the web layer wrote it.</summary>
public sealed record IdempotentAnswer(int Status, string? Location, string Body);

/// <summary>
/// A write sent with an <c>Idempotency-Key</c> (ADR 0012). The web layer begins it (caller scope, key, request hash, how a
/// result becomes the answer); the handler records the answer in the same unit of work as its change, so once the change
/// is committed the answer is too, and a retry after a crash between commit and response gets it back. Scoped: one per request.
/// </summary>
public sealed class IdempotentWrite
{
    public const int MaxKeyLength = 200;

    /// <summary>How long a key is remembered; a retry later than this is a new request.</summary>
    public static readonly Duration Retention = Duration.FromHours(24);

    private Pending? _pending;

    private sealed record Pending(string Scope, string Key, string RequestHash, Func<object, IdempotentAnswer> Answer);

    public void Begin(string scope, string key, string requestHash, Func<object, IdempotentAnswer> answer) =>
        _pending = new Pending(scope, key, requestHash, answer);

    /// <summary>True while a keyed request runs: the handler must <see cref="Record"/> its answer before it saves.</summary>
    public bool IsPending => _pending is not null;

    /// <summary>Adds the answer for <paramref name="result"/> to the unit of work (saved with the change, never alone).</summary>
    public void Record(HelpDeskDbContext db, object result, Instant now)
    {
        if (_pending is not { } p) return;
        var answer = p.Answer(result);
        db.Add(new IdempotencyRecord
        {
            Scope = p.Scope, Key = p.Key, RequestHash = p.RequestHash, Status = answer.Status, Location = answer.Location,
            Body = answer.Body, CreatedAt = now,
        });
    }

    /// <summary>The stored answer for the caller's key, unless it has expired (an expired one is deleted, so the key can be used again).</summary>
    public static async Task<IdempotencyRecord?> FindAsync(HelpDeskDbContext db, string scope, string key, Instant now, CancellationToken ct)
    {
        var record = await db.Set<IdempotencyRecord>().AsNoTracking().SingleOrDefaultAsync(r => r.Scope == scope && r.Key == key, ct);
        if (record is null || record.CreatedAt > now - Retention) return record;
        await db.Set<IdempotencyRecord>().Where(r => r.Scope == scope && r.Key == key && r.CreatedAt == record.CreatedAt).ExecuteDeleteAsync(ct);
        return null;
    }

    /// <returns>How many expired answers were deleted.</returns>
    public static Task<int> DeleteExpiredAsync(HelpDeskDbContext db, Instant now, CancellationToken ct)
    {
        var cutoff = now - Retention;
        return db.Set<IdempotencyRecord>().Where(r => r.CreatedAt <= cutoff).ExecuteDeleteAsync(ct);
    }
}
