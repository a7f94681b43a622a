using System.Security.Claims;
using System.Text.Encodings.Web;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Domain.Agents;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace HelpDesk.Web.Auth;

public static class AuthSchemes
{
    public const string Token = "ApiToken";
    public const string Cookie = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string Either = "CookieOrToken";

    private const string SessionClaim = "helpdesk:session";
    private const string TokenClaim = "helpdesk:token";
    private const string MustChangeClaim = "helpdesk:must-change-password";

    /// <summary>
    /// The agent's principal, naming the credential it came with: a console session (cookie) or an API token; a session
    /// signed in with a password someone else chose carries the must-change mark (<see cref="UseForcedPasswordChange"/>).
    /// </summary>
    public static ClaimsPrincipal Principal(Agent agent, string scheme, Guid credentialId, bool mustChangePassword = false)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, agent.Id.ToString()),
            new(ClaimTypes.Email, agent.Email),
            new(ClaimTypes.Name, agent.Name),
            new(ClaimTypes.Role, Vocabulary.Name(agent.Role)),
            new(scheme == Token ? TokenClaim : SessionClaim, credentialId.ToString()),
        };
        if (mustChangePassword) claims.Add(new(MustChangeClaim, "true"));
        return new(new ClaimsIdentity(claims, scheme));
    }

    public static bool MustChangePassword(ClaimsPrincipal user) => user.HasClaim(c => c.Type == MustChangeClaim);

    /// <summary>The same principal with the must-change mark set or removed.</summary>
    public static ClaimsPrincipal Reissue(ClaimsPrincipal user, bool mustChangePassword)
    {
        var identity = user.Identity as ClaimsIdentity ?? throw new InvalidOperationException("No identity to reissue.");
        var claims = identity.Claims.Where(c => c.Type != MustChangeClaim).ToList();
        if (mustChangePassword) claims.Add(new(MustChangeClaim, "true"));
        return new(new ClaimsIdentity(claims, identity.AuthenticationType));
    }

    /// <summary>
    /// Until an agent has changed a password someone else chose (the demo's, an admin's, the operator's), their console
    /// session may only read who they are, change the password and sign out: every other API or hub request is a 403
    /// problem with code <c>password.change_required</c>, which tells the client what to do.
    /// </summary>
    public static IApplicationBuilder UseForcedPasswordChange(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        var path = ctx.Request.Path;
        if (ctx.User.Identity?.IsAuthenticated == true && MustChangePassword(ctx.User)
            && (path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs"))
            && !(HttpMethods.IsGet(ctx.Request.Method) && path.Equals("/api/v1/me", StringComparison.OrdinalIgnoreCase))
            && !(HttpMethods.IsPost(ctx.Request.Method) && path.Equals("/api/v1/me/password", StringComparison.OrdinalIgnoreCase)))
        {
            await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Password change required",
                detail: "Your password was set by someone else. Change it (POST /api/v1/me/password) before doing anything else.",
                extensions: new Dictionary<string, object?> { ["code"] = "password.change_required" }).ExecuteAsync(ctx);
            return;
        }
        await next();
    });

    /// <summary>The credential a principal came with, or null (none named: a cookie from before sessions were kept).</summary>
    public static Credential? CredentialOf(ClaimsPrincipal? user)
    {
        if (user is null || !Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var agentId)) return null;
        Guid? Id(string type) => Guid.TryParse(user.FindFirstValue(type), out var id) ? id : null;
        var (session, token) = (Id(SessionClaim), Id(TokenClaim));
        return session is null == token is null ? null : new Credential(agentId, session, token);
    }

    /// <summary>
    /// Cookies for the console, bearer tokens for the API; API paths answer 401/403 instead of redirecting to the login page.
    /// </summary>
    public static IServiceCollection AddHelpDeskAuth(this IServiceCollection services)
    {
        services.AddAuthentication(Either)
            .AddPolicyScheme(Either, Either, o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? Token : Cookie)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(Token, null)
            .AddCookie(Cookie, o =>
            {
                o.Cookie.Name = "helpdesk.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/login";
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.Events.OnRedirectToLogin = ctx => ApiOr(ctx, StatusCodes.Status401Unauthorized);
                // Every request: the session must not be ended and the agent must be active (a primary-key lookup each),
                // so signing out, or deactivating the agent, stops a copied cookie at once on every node.
                o.Events.OnValidatePrincipal = async ctx =>
                {
                    var credential = CredentialOf(ctx.Principal);
                    if (credential?.SessionId is not null
                        && await ctx.HttpContext.RequestServices.GetRequiredService<Sessions>().IsLiveAsync(credential, ctx.HttpContext.RequestAborted)) return;
                    ctx.RejectPrincipal();
                    await ctx.HttpContext.SignOutAsync(Cookie);
                };
                o.Events.OnRedirectToAccessDenied = ctx => ApiOr(ctx, StatusCodes.Status403Forbidden);
            });
        services.AddAuthorization(o => o.FallbackPolicy = null);
        services.AddAntiforgery(o =>
        {
            o.HeaderName = "X-CSRF-TOKEN";
            // Secure whenever the request was HTTPS (behind a known proxy: its X-Forwarded-Proto), like the auth cookie.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddHttpContextAccessor();
        services.AddScoped<ICurrentAgent, HttpCurrentAgent>();
        return services;
    }

    private static Task ApiOr(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/hubs"))
            ctx.Response.StatusCode = status;
        else
            ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A browser sends the auth cookie with any request, so unsafe API calls made with the cookie must carry the
    /// antiforgery header; bearer-token calls are not exposed to CSRF and need none.
    /// </summary>
    public static IApplicationBuilder UseCookieAntiforgeryForApi(this IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        if (ctx.Request.Path.StartsWithSegments("/api")
            && !HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method) && !HttpMethods.IsOptions(ctx.Request.Method)
            && ctx.User.Identity is { IsAuthenticated: true, AuthenticationType: Cookie })
        {
            var antiforgery = ctx.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(ctx))
            {
                await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Missing or invalid antiforgery token",
                    detail: "Cookie-authenticated API calls must send the X-CSRF-TOKEN header.").ExecuteAsync(ctx);
                return;
            }
        }
        await next();
    });
}

/// <summary>Authenticates <c>Authorization: Bearer hd_…</c> against the hashed tokens.</summary>
public sealed class ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, Credentials credentials)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return AuthenticateResult.NoResult();
        return await credentials.ResolveTokenAsync(header["Bearer ".Length..].Trim(), Context.RequestAborted) is { } resolved
            ? AuthenticateResult.Success(new AuthenticationTicket(AuthSchemes.Principal(resolved.Agent, AuthSchemes.Token, resolved.TokenId), AuthSchemes.Token))
            : AuthenticateResult.Fail("Unknown or revoked token.");
    }
}
