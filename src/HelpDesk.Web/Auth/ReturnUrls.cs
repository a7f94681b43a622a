namespace HelpDesk.Web.Auth;

/// <summary>
/// Where sign-in may send the browser back to: a path on this site, judged as a browser would read it. Browsers drop
/// tabs and newlines inside URLs, read <c>\</c> as <c>/</c>, and treat <c>//host</c> as another site, and some proxies
/// decode <c>%2f</c>/<c>%5c</c> before anyone looks; so anything with a control character or a backslash, raw or
/// percent-encoded at any depth, or raw white space, is refused, as is anything that is not a single-slash path (schemes such as
/// <c>https:evil</c> or <c>javascript:</c> included). Refused or missing return URLs become <c>/</c>.
/// </summary>
public static class ReturnUrls
{
    private static readonly Uri Probe = new("https://return-url.invalid/");

    public static string LocalOrRoot(string? returnUrl) => IsLocal(returnUrl) ? returnUrl! : "/";

    public static bool IsLocal(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl.Length > 2000) return false;
        // Every decoding depth must be a plain local path: a proxy or framework may decode once more than we do.
        var decoded = returnUrl;
        for (var depth = 0; depth < 5; depth++)
        {
            if (!LooksLocal(decoded, raw: depth == 0)) return false;
            var next = Uri.UnescapeDataString(decoded);
            if (next == decoded) break;
            decoded = next;
        }
        // And resolved as a browser resolves it against our origin, it stays on the origin and on a single-slash path.
        return Uri.TryCreate(Probe, returnUrl, out var resolved)
               && resolved.Scheme == Probe.Scheme && resolved.Authority == Probe.Authority
               && !resolved.AbsolutePath.StartsWith("//", StringComparison.Ordinal);
    }

    /// <summary>A single-slash path without control characters or backslashes; as sent (<paramref name="raw"/>), without white space either.</summary>
    private static bool LooksLocal(string url, bool raw) =>
        url.Length > 0 && url[0] == '/' && (url.Length == 1 || url[1] is not ('/' or '\\'))
        && !url.Any(c => char.IsControl(c) || c == '\\' || (raw && (char.IsWhiteSpace(c) || c is '\u200B' or '\uFEFF')));
}
