using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HelpDesk.Web.Hosting;

/// <summary>
/// The headers every page and API answer carries (set when the response starts, unless the endpoint chose its own, as
/// the survey page and a message's HTML do): a strict Content-Security-Policy (scripts and styles from our origin only,
/// no inline ones, nothing framing us), <c>X-Content-Type-Options</c>, <c>Referrer-Policy</c>, <c>Permissions-Policy</c>,
/// and HSTS when the request came over HTTPS. Violations are reported to <see cref="ReportPath"/> (<see cref="CspReports"/>).
/// The API reference (/docs) is the third-party Scalar page: its inline scripts are allowed by their hashes, computed
/// from the page as served; its styles are injected by its own script, so only there styles may be inline.
/// </summary>
public static partial class SecurityHeaders
{
    public const string ReportPath = "/csp-reports";

    public const string Policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
                                 "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; report-uri " + ReportPath;

    public const string PermissionsPolicy = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()";

    /// <summary>The <c>'sha256-…'</c> source of an inline script or style, for a policy.</summary>
    public static string Hash(string inline) => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inline)))}'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (HttpContext ctx, RequestDelegate next) =>
    {
        ctx.Response.OnStarting(() =>
        {
            var headers = ctx.Response.Headers;
            if (!headers.ContainsKey("Content-Security-Policy")) headers.ContentSecurityPolicy = Policy;
            if (!headers.ContainsKey("X-Content-Type-Options")) headers.XContentTypeOptions = "nosniff";
            if (!headers.ContainsKey("Referrer-Policy")) headers["Referrer-Policy"] = "same-origin";
            headers["Permissions-Policy"] = PermissionsPolicy;
            if (ctx.Request.IsHttps) headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
            return Task.CompletedTask;
        });
        if (ctx.Request.Path.StartsWithSegments("/docs") && HttpMethods.IsGet(ctx.Request.Method)) await HashInlineScriptsAsync(ctx, next);
        else await next(ctx);
    });

    /// <summary>Buffers an HTML page and allows exactly its inline scripts (by hash) in its policy.</summary>
    private static async Task HashInlineScriptsAsync(HttpContext ctx, RequestDelegate next)
    {
        var original = ctx.Response.Body;
        using var buffer = new MemoryStream();
        ctx.Response.Body = buffer;
        try
        {
            await next(ctx);
            if (ctx.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
            {
                var html = Encoding.UTF8.GetString(buffer.ToArray());
                var hashes = InlineScript().Matches(html).Select(m => Hash(m.Groups["body"].Value)).Distinct();
                ctx.Response.Headers.ContentSecurityPolicy = Policy
                    .Replace("script-src 'self'", $"script-src 'self' {string.Join(' ', hashes)}")
                    .Replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
            }
            ctx.Response.ContentLength = buffer.Length;
            buffer.Position = 0;
            await buffer.CopyToAsync(original, ctx.RequestAborted);
        }
        finally
        {
            ctx.Response.Body = original;
        }
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>(?<body>.*?)</script>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    /// <summary>The report endpoint: browsers post violations here (<c>application/csp-report</c>); they are logged and kept.</summary>
    public static void MapCspReports(this IEndpointRouteBuilder app) =>
        app.MapPost(ReportPath, async (HttpContext http, CspReports reports, ILogger<CspReports> logger, CancellationToken ct) =>
        {
            if (http.Request.ContentLength is > 64 * 1024) return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync(ct);
            if (body.Length > 64 * 1024) return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            try
            {
                using var json = JsonDocument.Parse(body);
                var report = json.RootElement.TryGetProperty("csp-report", out var r) ? r : json.RootElement;
                var violation = new CspViolation(Text(report, "document-uri"), Text(report, "violated-directive") ?? Text(report, "effective-directive"),
                    Text(report, "blocked-uri"), Text(report, "source-file"), report.TryGetProperty("line-number", out var line) && line.TryGetInt32(out var n) ? n : null);
                reports.Add(violation);
                logger.LogWarning("Content-Security-Policy violation: {Directive} blocked {Blocked} on {Document} ({Source}:{Line})",
                    violation.Directive, violation.Blocked, violation.Document, violation.Source, violation.Line);
            }
            catch (JsonException)
            {
                return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a CSP report", detail: "The body must be a JSON CSP report.");
            }
            return Results.NoContent();
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();

    private static string? Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}

public sealed record CspViolation(string? Document, string? Directive, string? Blocked, string? Source, int? Line);

/// <summary>The latest CSP violations this node received (the last 200), besides the log.</summary>
public sealed class CspReports
{
    private readonly ConcurrentQueue<CspViolation> _latest = new();

    public void Add(CspViolation violation)
    {
        _latest.Enqueue(violation);
        while (_latest.Count > 200) _latest.TryDequeue(out _);
    }

    public IReadOnlyList<CspViolation> Latest => _latest.ToArray();
}
