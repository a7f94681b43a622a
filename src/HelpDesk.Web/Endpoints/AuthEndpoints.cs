using System.Net;
using System.Security.Claims;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Domain.Agents;
using HelpDesk.Web.AgentConsole;
using HelpDesk.Web.Auth;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace HelpDesk.Web.Endpoints;

/// <summary>Console sign-in with a password (cookie + antiforgery) and the caller's own identity.</summary>
public static class AuthEndpoints
{
    public static WebApplication MapAuthEndpoints(this WebApplication app)
    {
        app.MapGet("/login", (HttpContext http, IAntiforgery antiforgery, string? returnUrl, string? error) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(http);
            var message = error switch
            {
                null => "",
                // Locked addresses, known or not, get this answer: it tells nothing about which exist.
                "locked" => "<p class=\"error\" role=\"alert\">Too many failed sign-ins for this address. Try again in a few minutes.</p>",
                _ => "<p class=\"error\" role=\"alert\">E-mail or password is not right.</p>",
            };
            var html = $$"""
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · HelpDesk</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/console/login.css"><script src="/console/login.js" defer></script></head>
                <body><main class="card"><h1>HelpDesk</h1><p class="sub">Sign in to the agent console</p>{{message}}
                <form method="post" action="/login">
                <input type="hidden" name="{{tokens.FormFieldName}}" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}">
                <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(ReturnUrls.LocalOrRoot(returnUrl))}}">
                <label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" required autofocus>
                <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
                <button type="submit">Sign in</button></form></main></body></html>
                """;
            return Results.Content(html, "text/html; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();

        // The page an invitation or reset mail links to (/set-password?token=…): a form that posts the token and the new
        // password to POST /api/v1/account-links/accept (console/set-password.js). The token stays in the address (the page
        // sends no Referer and is not cached); the antiforgery field is for a browser that also holds a console session.
        app.MapGet("/set-password", (HttpContext http, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(http);
            http.Response.Headers.CacheControl = "no-store";
            http.Response.Headers["Referrer-Policy"] = "no-referrer";
            var html = $$"""
                <!doctype html><html lang="en"><head><meta charset="utf-8"><title>Set your password · HelpDesk</title>
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/console/login.css"><script type="module" src="/console/set-password.js"></script></head>
                <body><main class="card"><h1>HelpDesk</h1><p class="sub">Choose your password</p>
                <form id="set-password" novalidate>
                <input type="hidden" id="csrf" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}">
                <label for="password">New password</label><input id="password" type="password" autocomplete="new-password" minlength="8" required autofocus aria-describedby="password-hint password-error">
                <p class="hint" id="password-hint">At least 8 characters. A long phrase is best; very common passwords are refused.</p>
                <label for="repeat">Repeat it</label><input id="repeat" type="password" autocomplete="new-password" required aria-describedby="password-error">
                <p class="error" id="password-error" role="alert"></p>
                <button type="submit" id="save">Set password</button></form>
                <p id="done" class="done" role="status" hidden>Your password is set. <a href="/login">Sign in</a></p></main></body></html>
                """;
            return Results.Content(html, "text/html; charset=utf-8");
        }).AllowAnonymous().ExcludeFromDescription();

        app.MapPost("/login", async (HttpContext http, [FromForm] string email, [FromForm] string password, [FromForm] string? returnUrl,
            SignInGuard guard, Sessions sessions, Credentials credentials, CancellationToken ct) =>
        {
            var (agent, lockedUntil) = await guard.SignInAsync(email, password, ct);
            if (agent is null)
                return Results.Redirect($"/login?error={(lockedUntil is null ? "1" : "locked")}&returnUrl={Uri.EscapeDataString(ReturnUrls.LocalOrRoot(returnUrl))}");
            var session = await sessions.StartAsync(agent.Id, ct);
            var mustChange = await credentials.MustChangePasswordAsync(agent.Id, ct);
            await http.SignInAsync(AuthSchemes.Cookie, AuthSchemes.Principal(agent, AuthSchemes.Cookie, session, mustChange));
            // Only local return URLs: an open redirect would let a phishing link bounce through our login.
            return Results.Redirect(ReturnUrls.LocalOrRoot(returnUrl));
        }).AllowAnonymous().LimitSignInAbuse(SignInLimits.FormEmail, hashesPasswords: true).ExcludeFromDescription();

        app.MapGet("/api/v1/sign-in/lockouts", async (Caller caller, SignInGuard guard, CancellationToken ct) =>
        {
            await caller.RequireRoleAsync(AgentRole.Admin, ct);
            return Results.Ok(await guard.LockedAsync(ct));
        }).RequireAuthorization().WithTags("Auth")
            .WithSummary("Addresses locked now after repeated failed sign-ins, with their failure count and lock end (admins)")
            .Produces<IReadOnlyList<SignInLockout>>();

        // Signing out ends the session on the server (a copied cookie stops working) and closes this session's open
        // console connections. It needs the antiforgery token: another site must not be able to sign an agent out.
        app.MapPost("/logout", async (HttpContext http, IAntiforgery antiforgery, Sessions sessions, CancellationToken ct) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing or invalid antiforgery token",
                    detail: "Sign-out must send the form's __RequestVerificationToken field (or the X-CSRF-TOKEN header).");
            if (AuthSchemes.CredentialOf(http.User) is { SessionId: { } session }) await sessions.EndAsync(session, ct);
            await http.SignOutAsync(AuthSchemes.Cookie);
            return Results.Redirect("/login");
        }).RequireAuthorization().DisableAntiforgery().ExcludeFromDescription();

        app.MapGet("/api/v1/me", (HttpContext http, IAntiforgery antiforgery) =>
        {
            var user = http.User;
            var csrf = user.Identity?.AuthenticationType == AuthSchemes.Cookie ? antiforgery.GetAndStoreTokens(http).RequestToken : null;
            return Results.Ok(new
            {
                email = user.FindFirstValue(ClaimTypes.Email),
                name = user.FindFirstValue(ClaimTypes.Name),
                role = user.FindFirstValue(ClaimTypes.Role),
                csrfToken = csrf,
                // True until the agent changes a password someone else chose; meanwhile only POST /api/v1/me/password works.
                mustChangePassword = AuthSchemes.MustChangePassword(user),
            });
        }).RequireAuthorization().WithTags("Auth").WithSummary("Who you are (and the antiforgery token for cookie sessions)");
        return app;
    }
}
