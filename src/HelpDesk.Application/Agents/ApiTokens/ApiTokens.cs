using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Agents.ApiTokens;

/// <summary>An API token's metadata; the token itself is never shown again after it was issued.</summary>
public sealed record ApiTokenDto(Guid Id, string Name, string Owner, Instant CreatedAt, Instant? LastUsedAt, Instant? ExpiresAt, Instant? RevokedAt);

/// <summary>
/// API tokens, newest first: admins (and the operator's CLI) see everyone's, optionally one agent's (<paramref name="Email"/>);
/// others see their own. Revoked ones only when asked (<paramref name="IncludeRevoked"/>).
/// </summary>
public sealed record ListApiTokens(string? Email = null, bool IncludeRevoked = false) : IQuery<IReadOnlyList<ApiTokenDto>>;

/// <summary>Revokes a token (<c>DELETE /api/v1/tokens/{id}</c>): one's own, or anyone's as admin. Revoking a revoked token is a no-op.</summary>
public sealed record RevokeApiToken(Guid Id) : ICommand<ApiTokenDto>;

public sealed class ApiTokensHandler(HelpDeskDbContext db, Caller caller, IClock clock) :
    IQueryHandler<ListApiTokens, IReadOnlyList<ApiTokenDto>>, ICommandHandler<RevokeApiToken, ApiTokenDto>
{
    public async ValueTask<IReadOnlyList<ApiTokenDto>> Handle(ListApiTokens query, CancellationToken ct)
    {
        var me = await caller.AgentAsync(ct);
        var rows = from t in db.ApiTokens.AsNoTracking() join a in db.Agents.AsNoTracking() on t.AgentId equals a.Id select new { Token = t, a.Email };
        if (me is not null && me.Role != AgentRole.Admin) rows = rows.Where(r => r.Token.AgentId == me.Id);
        if (!string.IsNullOrWhiteSpace(query.Email))
        {
            var email = EmailAddress.IsValid(query.Email) ? EmailAddress.Normalise(query.Email) : "";
            rows = rows.Where(r => r.Email == email);
        }
        if (!query.IncludeRevoked) rows = rows.Where(r => r.Token.RevokedAt == null);
        return (await rows.ToListAsync(ct)).OrderByDescending(r => r.Token.CreatedAt).Select(r => Dto(r.Token, r.Email)).ToList();
    }

    public async ValueTask<ApiTokenDto> Handle(RevokeApiToken command, CancellationToken ct)
    {
        var me = await caller.AgentAsync(ct);
        var token = await db.ApiTokens.SingleOrDefaultAsync(t => t.Id == command.Id, ct);
        // Another agent's token is reported as missing: its id tells nothing to those who may not revoke it.
        if (token is null || (me is not null && me.Role != AgentRole.Admin && token.AgentId != me.Id))
            throw new NotFoundException($"There is no token {command.Id}.");
        if (token.RevokedAt is null)
        {
            token.RevokedAt = clock.GetCurrentInstant();
            await db.SaveChangesAsync(ct);
        }
        var owner = await db.Agents.Where(a => a.Id == token.AgentId).Select(a => a.Email).SingleAsync(ct);
        return Dto(token, owner);
    }

    private static ApiTokenDto Dto(ApiToken t, string owner) => new(t.Id, t.Name, owner, t.CreatedAt, t.LastUsedAt, t.ExpiresAt, t.RevokedAt);
}
