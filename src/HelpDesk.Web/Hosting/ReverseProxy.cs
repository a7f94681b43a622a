using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.HttpOverrides;

namespace HelpDesk.Web.Hosting;

/// <summary>
/// Running behind a reverse proxy (docs/deployment.md). <c>X-Forwarded-For</c>/<c>-Proto</c>/<c>-Host</c> are believed only
/// from the addresses or networks in <c>HelpDesk:KnownProxies</c> (e.g. <c>["127.0.0.1", "10.0.0.0/8"]</c>); ASP.NET
/// Core's default of trusting loopback is cleared, and with no proxy configured the headers are ignored altogether.
/// From a known proxy the request gets the client's address (rate limits, logs) and scheme (Secure cookies, HSTS).
/// </summary>
public static class ReverseProxy
{
    public const string KnownProxiesKey = "HelpDesk:KnownProxies";
    public const string MailgateSecretHeader = "X-Mailgate-Secret";

    private static readonly string[] ForwardingHeaders = ["X-Forwarded-For", "X-Original-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host", "X-Forwarded-Proto"];

    public static IServiceCollection AddReverseProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            o.ForwardLimit = 1;
            foreach (var entry in Configured(configuration))
            {
                if (System.Net.IPNetwork.TryParse(entry, out var network)) o.KnownIPNetworks.Add(network);
                else if (IPAddress.TryParse(entry, out var address)) o.KnownProxies.Add(address);
                else throw new InvalidOperationException($"{KnownProxiesKey}: '{entry}' is neither an IP address nor a network (CIDR).");
            }
        });
        return services;
    }

    public static IApplicationBuilder UseReverseProxy(this WebApplication app) =>
        Configured(app.Configuration).Count > 0 ? app.UseForwardedHeaders() : app;

    /// <summary>The configured proxies; blank entries (an empty environment variable) are none.</summary>
    private static List<string> Configured(IConfiguration configuration) =>
        (configuration.GetSection(KnownProxiesKey).Get<string?[]>() ?? []).Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e!.Trim()).ToList();

    /// <summary>
    /// Whether a mailgate hand-off may be trusted: straight from this machine (a loopback connection that no proxy
    /// forwarded: any forwarding header, believed or not, means someone else's request came through one), or carrying
    /// the shared secret <c>HelpDesk:Mail:MailgateSecret</c> in <see cref="MailgateSecretHeader"/>.
    /// </summary>
    public static bool IsTrustedMailgateCaller(HttpContext http, string? secret)
    {
        if (secret is { Length: > 0 } && http.Request.Headers[MailgateSecretHeader].ToString() is { Length: > 0 } given)
            return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
        return http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip) && !ForwardingHeaders.Any(h => http.Request.Headers.ContainsKey(h));
    }
}
