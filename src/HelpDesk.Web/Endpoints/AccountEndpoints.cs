using HelpDesk.Application.Agents.AccountLinks;
using HelpDesk.Application.Agents.ApiTokens;
using HelpDesk.Application.Agents.ChangePassword;
using HelpDesk.Application.Audit;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Web.Auth;
using Mediator;
using Microsoft.AspNetCore.Authentication;

namespace HelpDesk.Web.Endpoints;

/// <summary>The caller's own account (password, sessions), API tokens and the audit log (docs/security.md "Accounts", "Audit log").</summary>
public static class AccountEndpoints
{
    public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);
    public sealed record AcceptLinkRequest(string? Token, string? Password);

    public static RouteGroupBuilder MapAccountEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/me/password", async (ChangePasswordRequest r, HttpContext http, IMediator m, Sessions sessions, CancellationToken ct) =>
        {
            var credential = AuthSchemes.CredentialOf(http.User);
            var changed = await m.Send(new ChangePassword(r.CurrentPassword, r.NewPassword, credential?.SessionId), ct);
            sessions.CloseSessionConnections(changed.AgentId, except: credential?.SessionId);
            // The console's cookie is issued again without the must-change mark: the session may now do everything.
            if (http.User.Identity?.AuthenticationType == AuthSchemes.Cookie && credential?.SessionId is { } session)
                await http.SignInAsync(AuthSchemes.Cookie, AuthSchemes.Reissue(http.User, mustChangePassword: false));
            return Results.Ok(changed);
        }).WithTags("Account").WithSummary("Change your password (current and new); your other console sessions end")
            .Produces<PasswordChanged>().LimitSignInAbuse(SignInLimits.Caller).ProducesProblem(StatusCodes.Status429TooManyRequests);

        api.MapPost("/agents/{email}/invite", async (string email, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new SendAccountLink(email, AccountLinkPurpose.Invite), ct)))
            .WithTags("Agents").WithSummary("Mail the agent a single-use link, valid 7 days, to set their password (admin)").Produces<AccountLinkSent>();

        api.MapPost("/agents/{email}/reset-password", async (string email, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new SendAccountLink(email, AccountLinkPurpose.Reset), ct)))
            .WithTags("Agents").WithSummary("Mail the agent a single-use link, valid 24 hours, to set a new password (admin)").Produces<AccountLinkSent>();

        api.MapPost("/account-links/accept", async (AcceptLinkRequest r, IMediator m, Sessions sessions, CancellationToken ct) =>
            {
                var changed = await m.Send(new AcceptAccountLink(r.Token, r.Password), ct);
                // The agent's sessions ended with the commit; their open console connections on this node close now.
                sessions.CloseSessionConnections(changed.AgentId, except: null);
                return Results.Ok(changed);
            })
            .AllowAnonymous().LimitSignInAbuse(_ => "account-links", hashesPasswords: true).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .WithTags("Account").WithSummary("Set a password with a mailed invitation or reset link (once, before it expires); the agent's sessions end")
            .Produces<PasswordChanged>();

        api.MapGet("/me/sessions", async (HttpContext http, Sessions sessions, CancellationToken ct) =>
        {
            var credential = AuthSchemes.CredentialOf(http.User) ?? throw new ForbiddenException("This needs a signed-in agent.");
            return Results.Ok(await sessions.OpenAsync(credential.AgentId, credential.SessionId, ct));
        }).WithTags("Account").WithSummary("Your console sessions not ended, newest first").Produces<IReadOnlyList<SessionDto>>();

        api.MapDelete("/me/sessions", async (HttpContext http, Sessions sessions, CancellationToken ct) =>
        {
            var credential = AuthSchemes.CredentialOf(http.User) ?? throw new ForbiddenException("This needs a signed-in agent.");
            var ended = await sessions.EndAllAsync(credential.AgentId, except: null, ct);
            sessions.CloseSessionConnections(credential.AgentId, except: null);
            if (http.User.Identity?.AuthenticationType == AuthSchemes.Cookie) await http.SignOutAsync(AuthSchemes.Cookie);
            return Results.Ok(new { sessionsEnded = ended });
        }).WithTags("Account").WithSummary("Sign out everywhere: every console session of yours ends, this one too (API tokens stay)");

        api.MapGet("/tokens", async (string? email, bool? includeRevoked, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new ListApiTokens(email, includeRevoked ?? false), ct)))
            .WithTags("Tokens").WithSummary("API tokens' metadata (admin: everyone's, filter by email; others: their own)").Produces<IReadOnlyList<ApiTokenDto>>();

        api.MapDelete("/tokens/{id:guid}", async (Guid id, IMediator m, Sessions sessions, CancellationToken ct) =>
        {
            var token = await m.Send(new RevokeApiToken(id), ct);
            sessions.CloseConnections(tokenId: id);
            return Results.Ok(token);
        }).WithTags("Tokens").WithSummary("Revoke an API token (your own, or anyone's as admin); it stops working at once").Produces<ApiTokenDto>();

        api.MapGet("/audit-log", async (string? action, string? actor, string? target, string? from, string? to, int? page, int? pageSize,
                string? format, IMediator m, CancellationToken ct) =>
            {
                if (string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase))
                {
                    var file = await m.Send(new ExportAuditLog(action, actor, target, from, to), ct);
                    return Results.Stream(stream => file.WriteAsync(stream, ct), "text/csv; charset=utf-8", file.FileName);
                }
                return Results.Ok(await m.Send(new GetAuditLog(action, actor, target, from, to, page ?? 1, pageSize ?? 100), ct));
            })
            .WithTags("Audit").WithSummary("Admin actions and security events, newest first; filters, paging, ?format=csv for every matching row (admin)")
            .Produces<AuditPage>().Produces(200, contentType: "text/csv");
        return api;
    }
}
