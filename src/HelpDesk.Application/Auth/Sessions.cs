using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Application.Auth;

/// <summary>A console session as its agent sees it in the list of their sign-ins.</summary>
public sealed record SessionDto(Guid Id, Instant CreatedAt, bool Current);

/// <summary>What an authenticated caller holds: a console session or an API token (exactly one), of an agent.</summary>
public sealed record Credential(Guid AgentId, Guid? SessionId, Guid? TokenId);

/// <summary>
/// Long-lived connections held open with a credential (the console hub's, in the web host), which a request-by-request
/// check never sees again. <see cref="Sessions.CloseConnections"/> is the one caller.
/// </summary>
public interface IOpenConnections
{
    /// <summary>Closes the connections whose credential <paramref name="ended"/> says has ended; returns how many.</summary>
    int Close(Func<Credential, bool> ended);
}

/// <summary>
/// Server-side console sessions (<see cref="AgentSession"/>) and the one check of whether a credential still counts: the
/// session not ended or the token not revoked, and the agent active. Asked on every cookie request, on every hub call
/// and, for open hub connections, by a sweep; each is a primary-key lookup. Whatever ends a credential calls
/// <see cref="CloseConnections"/> after its commit, so open connections close at once on this node too.
/// </summary>
public sealed class Sessions(HelpDeskDbContext db, IClock clock, IOptions<SignInOptions> options, IEnumerable<IOpenConnections> open)
{
    public async Task<Guid> StartAsync(Guid agentId, CancellationToken ct)
    {
        var session = new AgentSession { Id = Guid.CreateVersion7(), AgentId = agentId, CreatedAt = clock.GetCurrentInstant() };
        db.AgentSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return session.Id;
    }

    /// <summary>Ends the session (sign-out) and closes its open connections.</summary>
    public async Task EndAsync(Guid sessionId, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        await db.AgentSessions.Where(s => s.Id == sessionId && s.EndedAt == null).ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now), ct);
        CloseConnections(sessionId: sessionId);
    }

    /// <summary>
    /// The one hook for every path that ends credentials, called after its commit: signing out (<see cref="EndAsync"/>),
    /// revoking a token (<paramref name="tokenId"/>), deactivating an agent (<paramref name="agentId"/>: all its sessions
    /// and tokens). Closes this node's open connections held with them at once, so pushes to them stop; other nodes'
    /// connections close at their next credential sweep. Returns how many were closed.
    /// </summary>
    public int CloseConnections(Guid? agentId = null, Guid? sessionId = null, Guid? tokenId = null) =>
        Close(c => (agentId is not null && c.AgentId == agentId)
                   || (sessionId is not null && c.SessionId == sessionId)
                   || (tokenId is not null && c.TokenId == tokenId));

    /// <summary>
    /// The hook's form for <see cref="EndAllAsync"/>: closes the agent's connections held with a console session other than
    /// <paramref name="except"/> (API-token connections stay, as their tokens do). Called after the commit that ended them.
    /// </summary>
    public int CloseSessionConnections(Guid agentId, Guid? except) =>
        Close(c => c.AgentId == agentId && c.SessionId is { } session && session != except);

    private int Close(Func<Credential, bool> ended) => open.Sum(o => o.Close(ended));

    /// <summary>The agent's sessions not ended, newest first; <paramref name="current"/> marks the caller's own.</summary>
    public async Task<IReadOnlyList<SessionDto>> OpenAsync(Guid agentId, Guid? current, CancellationToken ct) =>
        (await db.AgentSessions.AsNoTracking().Where(s => s.AgentId == agentId && s.EndedAt == null).ToListAsync(ct))
            .OrderByDescending(s => s.CreatedAt).Select(s => new SessionDto(s.Id, s.CreatedAt, s.Id == current)).ToList();

    /// <summary>Ends every session of the agent but <paramref name="except"/> (sign-out everywhere, a password change, deactivation).</summary>
    public async Task<int> EndAllAsync(Guid agentId, Guid? except, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        return await db.AgentSessions.Where(s => s.AgentId == agentId && s.EndedAt == null && s.Id != except)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now), ct);
    }

    public async Task<bool> IsLiveAsync(Credential credential, CancellationToken ct) => (await LiveAsync([credential], ct)).Count == 1;

    /// <summary>Those of <paramref name="credentials"/> that still count (three queries, however many are asked about).</summary>
    public async Task<IReadOnlySet<Credential>> LiveAsync(IReadOnlyCollection<Credential> credentials, CancellationToken ct)
    {
        var agentIds = credentials.Select(c => c.AgentId).Distinct().ToList();
        var sessionIds = credentials.Where(c => c.SessionId is not null).Select(c => c.SessionId!.Value).Distinct().ToList();
        var tokenIds = credentials.Where(c => c.TokenId is not null).Select(c => c.TokenId!.Value).Distinct().ToList();
        var agents = await db.Agents.Where(a => agentIds.Contains(a.Id) && a.IsActive).Select(a => a.Id).ToListAsync(ct);
        var startedAfter = StartedAfter();
        var sessions = sessionIds.Count == 0 ? [] : await db.AgentSessions.Where(s => sessionIds.Contains(s.Id) && s.EndedAt == null && s.CreatedAt > startedAfter)
            .Select(s => s.Id).ToListAsync(ct);
        var now = clock.GetCurrentInstant();
        var tokens = tokenIds.Count == 0 ? [] : await db.ApiTokens.Where(t => tokenIds.Contains(t.Id) && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => t.Id).ToListAsync(ct);
        return credentials.Where(c => agents.Contains(c.AgentId)
                                      && (c.SessionId is { } s ? sessions.Contains(s) && c.TokenId is null : c.TokenId is { } t && tokens.Contains(t)))
            .ToHashSet();
    }

    /// <summary>
    /// Deletes sessions that count no more: ended, or older than <see cref="SignInOptions.SessionMaxAgeDays"/>. A missing
    /// row is as dead as an ended one, so this changes no answer. Run by the retention sweep (<see cref="AuthRetention"/>).
    /// </summary>
    public Task<int> DeleteExpiredAsync(CancellationToken ct)
    {
        var startedAfter = StartedAfter();
        return db.AgentSessions.Where(s => s.EndedAt != null || s.CreatedAt <= startedAfter).ExecuteDeleteAsync(ct);
    }

    private Instant StartedAfter() => clock.GetCurrentInstant() - Duration.FromDays(options.Value.SessionMaxAgeDays);
}
