using System.Security.Cryptography;
using System.Text;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Auth;

/// <summary>
/// Passwords are hashed with PBKDF2 (<see cref="PasswordHashing"/>: salted, iterated, ASP.NET Core Identity's versioned format). API tokens are
/// 256 random bits shown once; only their SHA-256 is stored, so a database leak does not leak usable tokens.
/// </summary>
public sealed class Credentials(HelpDeskDbContext db, IClock clock)
{
    /// <summary>A token's <see cref="ApiToken.LastUsedAt"/> is written at most this often (one conditional update), not on every request.</summary>
    public static readonly Duration LastUsedResolution = Duration.FromMinutes(1);

    private const string TokenPrefix = "hd_";

    /// <summary>The active agent with this e-mail and password, or null (same answer for unknown e-mail and wrong password).</summary>
    public async Task<Agent?> VerifyPasswordAsync(string email, string password, CancellationToken ct)
    {
        var normalised = email.Trim().ToLowerInvariant();
        var agent = await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Email == normalised, ct);
        var credential = agent is null ? null : await db.AgentCredentials.SingleOrDefaultAsync(c => c.AgentId == agent.Id, ct);
        if (agent is null || credential is null)
        {
            SpendVerificationTime(password);
            return null;
        }
        var result = PasswordHashing.Verify(credential.PasswordHash, password);
        if (result == PasswordHashing.Result.Failed || !agent.IsActive) return null;
        if (result == PasswordHashing.Result.SuccessRehashNeeded)
        {
            credential.PasswordHash = PasswordHashing.Hash(password);
            await db.SaveChangesAsync(ct);
        }
        return agent;
    }

    /// <summary>Whether the agent's password was chosen by someone else and must be changed before anything else.</summary>
    public Task<bool> MustChangePasswordAsync(Guid agentId, CancellationToken ct) =>
        db.AgentCredentials.AnyAsync(c => c.AgentId == agentId && c.MustChange, ct);

    /// <summary>Spends the time of a real password check, so response times do not tell which addresses exist.</summary>
    public static void SpendVerificationTime(string password) => PasswordHashing.Verify(DummyHash.Value, password);

    /// <summary>Creates a token for the agent and returns it; it cannot be read back later.</summary>
    public ApiToken IssueToken(Guid agentId, string name, Instant now, out string token, Instant? expiresAt = null)
    {
        token = NewSecret();
        var record = new ApiToken { Id = Guid.CreateVersion7(), AgentId = agentId, Name = name, TokenHash = HashToken(token), CreatedAt = now, ExpiresAt = expiresAt };
        db.ApiTokens.Add(record);
        return record;
    }

    /// <summary>
    /// The active agent a bearer token belongs to, with the token's id, or null (unknown, revoked or expired). Notes the
    /// use when the last one noted is older than <see cref="LastUsedResolution"/>.
    /// </summary>
    public async Task<(Agent Agent, Guid TokenId)?> ResolveTokenAsync(string token, CancellationToken ct)
    {
        if (!token.StartsWith(TokenPrefix, StringComparison.Ordinal) || token.Length > 100) return null;
        var hash = HashToken(token);
        var now = clock.GetCurrentInstant();
        var row = await db.ApiTokens.Where(t => t.TokenHash == hash && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Select(t => new { t.Id, t.AgentId, t.LastUsedAt }).SingleOrDefaultAsync(ct);
        if (row is null) return null;
        var agent = await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Id == row.AgentId && a.IsActive, ct);
        if (agent is null) return null;
        if (row.LastUsedAt is null || row.LastUsedAt < now - LastUsedResolution)
        {
            var before = now - LastUsedResolution;
            await db.ApiTokens.Where(t => t.Id == row.Id && (t.LastUsedAt == null || t.LastUsedAt < before))
                .ExecuteUpdateAsync(u => u.SetProperty(t => t.LastUsedAt, now), ct);
        }
        return (agent, row.Id);
    }

    /// <summary>A new unguessable secret (256 random bits) for a token or a mailed link; store only <see cref="HashToken"/> of it.</summary>
    public static string NewSecret() => TokenPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static readonly Lazy<string> DummyHash = new(() => PasswordHashing.Hash("not-a-password"));
}
