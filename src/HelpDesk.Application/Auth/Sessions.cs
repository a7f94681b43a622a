using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Auth;

/// <summary>A console session as its agent sees it in the list of their sign-ins.</summary>
public sealed record SessionDto(Guid Id, Instant CreatedAt, bool Current);

/// <summary>What an authenticated caller holds: a console session or an API token (exactly one), of an agent.</summary>
public sealed record Credential(Guid AgentId, Guid? SessionId, Guid? TokenId);

/// <summary>
/// Server-side console sessions (<see cref="AgentSession"/>) and the one check of whether a credential still counts: the
/// session not ended or the token not revoked, and the agent active. Asked on every cookie request, on every hub call
/// and, for open hub connections, by a sweep; each is a primary-key lookup.
/// </summary>
public sealed class Sessions(HelpDeskDbContext db, IClock clock)
{
    public async Task<Guid> StartAsync(Guid agentId, CancellationToken ct)
    {
        var session = new AgentSession { Id = Guid.CreateVersion7(), AgentId = agentId, CreatedAt = clock.GetCurrentInstant() };
        db.AgentSessions.Add(session);
        await db.SaveChangesAsync(ct);
        return session.Id;
    }

    public async Task EndAsync(Guid sessionId, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        await db.AgentSessions.Where(s => s.Id == sessionId && s.EndedAt == null).ExecuteUpdateAsync(u => u.SetProperty(s => s.EndedAt, now), ct);
    }

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
        var sessions = sessionIds.Count == 0 ? [] : await db.AgentSessions.Where(s => sessionIds.Contains(s.Id) && s.EndedAt == null).Select(s => s.Id).ToListAsync(ct);
        var now = clock.GetCurrentInstant();
        var tokens = tokenIds.Count == 0 ? [] : await db.ApiTokens.Where(t => tokenIds.Contains(t.Id) && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => t.Id).ToListAsync(ct);
        return credentials.Where(c => agents.Contains(c.AgentId)
                                      && (c.SessionId is { } s ? sessions.Contains(s) && c.TokenId is null : c.TokenId is { } t && tokens.Contains(t)))
            .ToHashSet();
    }
}
