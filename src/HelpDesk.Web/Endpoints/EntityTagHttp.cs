using HelpDesk.Application.Common;

namespace HelpDesk.Web.Endpoints;

/// <summary>ETag and If-Match on the wire (<see cref="EntityTags"/> holds the rule): one place reads and writes the headers.</summary>
public static class EntityTagHttp
{
    /// <summary><paramref name="status"/> (200 unless told) with <paramref name="body"/> and its entity tag in <c>ETag</c>.</summary>
    public static IResult Tagged<T>(this HttpContext http, T body, int? version, int status = StatusCodes.Status200OK)
    {
        // No version, no tag: a thing that cannot be written here (a configuration-file mailbox).
        if (version is { } v) http.Response.Headers.ETag = EntityTags.Of(v);
        return Results.Json(body, statusCode: status);
    }

    /// <summary>The request's <c>If-Match</c>, or null when it has none.</summary>
    public static string? IfMatch(this HttpContext http) =>
        http.Request.Headers.IfMatch.Count == 0 ? null : http.Request.Headers.IfMatch.ToString();

    /// <summary>Documents a write that honours <c>If-Match</c>: 412 when stale.</summary>
    public static RouteHandlerBuilder WithIfMatch(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status412PreconditionFailed).WithDescription(
            "Send `If-Match` with the `ETag` you read (a quoted version, e.g. \"3\") to refuse the write with 412 when someone changed it meanwhile; without `If-Match` the write is made (last writer wins).");
}
