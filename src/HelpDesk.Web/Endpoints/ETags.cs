using Microsoft.Net.Http.Headers;

namespace HelpDesk.Web.Endpoints;

/// <summary>
/// Versions as entity tags: a resource's integer version is its ETag (<c>"3"</c>); writes send it back as <c>If-Match</c>,
/// and the slice refuses a stale one with 412 (<see cref="Application.Common.PreconditionFailedException"/>) or a missing one with 428.
/// </summary>
public static class ETags
{
    public static string Of(int version) => Application.Common.EntityTags.Of(version);

    /// <summary>The version named by <c>If-Match</c> (strong or weak tag), null when absent; a tag that is no version of ours matches nothing (-1).</summary>
    public static int? IfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(header)) return null;
        if (!EntityTagHeaderValue.TryParse(header.Split(',')[0].Trim(), out var tag)) return -1;
        return int.TryParse(tag.Tag.Value?.Trim('"'), out var version) ? version : -1;
    }

    /// <summary>Answers <paramref name="value"/> with its ETag.</summary>
    public static IResult WithETag<T>(HttpContext http, T value, int? version, int status = StatusCodes.Status200OK)
    {
        if (version is { } v) http.Response.Headers.ETag = Of(v);
        return Results.Json(value, statusCode: status);
    }
}
