using System.Collections.Concurrent;
using HelpDesk.Application.Auth;
using Microsoft.AspNetCore.SignalR;

namespace HelpDesk.Web.AgentConsole;

/// <summary>
/// This node's open console connections with the credential each was opened with, so that ending a session, revoking a
/// token or deactivating an agent closes them: at once on the node that does it (through
/// <see cref="Sessions.CloseConnections"/>, which calls <see cref="Close"/>), within the credential sweep's interval on
/// the others (<see cref="ConnectionCredentialSweeper"/> asks the database about all of them). A closed connection leaves
/// its groups, so pushes to it stop with it.
/// </summary>
public sealed class ConsoleConnections : IOpenConnections
{
    private readonly ConcurrentDictionary<string, (Credential Credential, HubCallerContext Context)> _open = new();

    public void Add(HubCallerContext context, Credential credential) => _open[context.ConnectionId] = (credential, context);

    public void Remove(string connectionId) => _open.TryRemove(connectionId, out _);

    public IReadOnlyList<Credential> Credentials => _open.Values.Select(v => v.Credential).Distinct().ToList();

    /// <summary>Closes the connections whose credential matches; returns how many.</summary>
    public int Close(Func<Credential, bool> which)
    {
        var dropped = 0;
        foreach (var (id, (credential, context)) in _open)
        {
            if (!which(credential) || !_open.TryRemove(id, out _)) continue;
            context.Abort();
            dropped++;
        }
        return dropped;
    }
}

/// <summary>
/// Closes open console connections whose session ended, token was revoked or agent was deactivated on any node (or
/// directly in the database), every <c>HelpDesk:Console:CredentialSweepSeconds</c> (2; 0 switches it off).
/// </summary>
public sealed class ConnectionCredentialSweeper(IServiceScopeFactory scopes, ConsoleConnections connections, IConfiguration configuration,
    ILogger<ConnectionCredentialSweeper> logger) : PeriodicSweep(logger)
{
    private readonly double _seconds = configuration.GetValue("HelpDesk:Console:CredentialSweepSeconds", 2.0);

    protected override bool Enabled => _seconds > 0;

    protected override TimeSpan Interval => TimeSpan.FromSeconds(_seconds);

    protected override async Task SweepAsync(CancellationToken ct)
    {
        var open = connections.Credentials;
        if (open.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var live = await scope.ServiceProvider.GetRequiredService<Sessions>().LiveAsync(open, ct);
        var dropped = connections.Close(c => !live.Contains(c));
        if (dropped > 0) logger.LogInformation("Closed {Count} console connection(s) whose session, token or agent is no longer valid", dropped);
    }
}

/// <summary>
/// The hub's <c>Origin</c> check: a browser page of another site must not open a console connection with the agent's
/// cookie (cross-site WebSocket hijacking). Allowed: the origin of <c>HelpDesk:PublicBaseUrl</c> and those listed in
/// <c>HelpDesk:AllowedOrigins</c>; with neither configured, the request's own origin. Clients that send no Origin (not
/// browsers) are not subject to it; they authenticate like any API client.
/// </summary>
public static class HubOrigins
{
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app, IConfiguration configuration)
    {
        var configured = configuration.GetSection("HelpDesk:AllowedOrigins").Get<string[]>() ?? [];
        var allowed = configured.Append(configuration["HelpDesk:PublicBaseUrl"])
            .Select(o => Uri.TryCreate(o, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null)
            .OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        return app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Path.StartsWithSegments("/hubs") && ctx.Request.Headers.Origin.ToString() is { Length: > 0 } origin
                && !(allowed.Count > 0 ? allowed.Contains(origin) : string.Equals(origin, $"{ctx.Request.Scheme}://{ctx.Request.Host}", StringComparison.OrdinalIgnoreCase)))
            {
                await Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Origin not allowed",
                    detail: $"The console hub accepts pages of {(allowed.Count > 0 ? string.Join(", ", allowed) : "this site")} only (HelpDesk:PublicBaseUrl, HelpDesk:AllowedOrigins).")
                    .ExecuteAsync(ctx);
                return;
            }
            await next();
        });
    }
}
