using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Domain.Common;
using Microsoft.AspNetCore.Diagnostics;
using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace HelpDesk.Web.Hosting;

/// <summary>
/// Maps failures to RFC 9457 ProblemDetails: validation → 400 naming each field, not found → 404, forbidden → 403, stale If-Match → 412,
/// missing If-Match → 428,
/// stale or lost race → 409, business rule → 422 with its rule code, the database unavailable (stopped, unreachable,
/// locked by another process past the retries) → 503 with <c>Retry-After</c>, so clients and proxies retry instead of
/// reporting a bug. Anything else is a 500 without internals.
/// </summary>
public sealed class ProblemMapping(ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var result = exception switch
        {
            ValidationException v => Results.ValidationProblem(
                v.Errors.GroupBy(e => CamelCase(e.PropertyName)).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()),
                title: "The request is not valid"),
            NotFoundException nf => Results.Problem(statusCode: 404, title: "Not found", detail: nf.Message),
            ForbiddenException f => Results.Problem(statusCode: 403, title: "Forbidden", detail: f.Message),
            PreconditionFailedException p => Results.Problem(statusCode: 412, title: "Precondition failed", detail: p.Message,
                extensions: new Dictionary<string, object?> { ["field"] = "If-Match", ["code"] = "precondition.failed", ["currentETag"] = p.Current }),
            PreconditionRequiredException p => Results.Problem(statusCode: 428, title: "Precondition required", detail: p.Message,
                extensions: new Dictionary<string, object?> { ["field"] = "If-Match", ["code"] = "precondition.required" }),
            ConcurrencyConflict c => Results.Problem(statusCode: 409, title: "Conflict", detail: c.Message, extensions: new Dictionary<string, object?> { ["code"] = c.Code }),
            DbUpdateConcurrencyException => Results.Problem(statusCode: 409, title: "Conflict",
                detail: "Someone else changed this at the same time; reload and try again.",
                extensions: new Dictionary<string, object?> { ["code"] = "concurrency.conflict" }),
            DomainRuleViolation d => Results.Problem(statusCode: 422, title: "Rule violated", detail: d.Message, extensions: new Dictionary<string, object?> { ["code"] = d.Code }),
            BadHttpRequestException b => Results.Problem(statusCode: b.StatusCode, title: "Bad request", detail: b.Message),
            _ when DatabaseUnavailable(http, exception) => Unavailable(http),
            _ => null,
        };
        if (result is null)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", http.Request.Method, http.Request.Path);
            return false;
        }
        await result.ExecuteAsync(http);
        return true;
    }

    /// <summary>Seconds a client is asked to wait when the database is unavailable.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// The database could not be reached or stayed locked: what the provider's execution strategy counts as transient
    /// (connection refused, server shutting down, <c>SQLITE_BUSY</c>), after its retries ran out or outside any.
    /// </summary>
    private static bool DatabaseUnavailable(HttpContext http, Exception exception) =>
        exception is RetryLimitExceededException
        || (http.RequestServices.GetService<HelpDeskDbContext>() is { } db
            && Chain(exception).Any(db.IsTransient));

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException) yield return e;
    }

    private static IResult Unavailable(HttpContext http)
    {
        http.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The database is unavailable",
            detail: $"The help desk cannot reach its database just now. Try again in {RetryAfterSeconds} seconds.");
    }

    /// <summary>FluentValidation names nested members <c>Requester.Email</c>; the JSON the client sent says <c>requester.email</c>.</summary>
    public static string CamelCase(string path) =>
        string.Join('.', path.Split('.').Select(p => p.Length > 0 && char.IsUpper(p[0]) ? char.ToLowerInvariant(p[0]) + p[1..] : p));
}
