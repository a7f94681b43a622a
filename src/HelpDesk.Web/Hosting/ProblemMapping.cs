using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Domain.Common;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Web.Hosting;

/// <summary>
/// Maps failures to RFC 9457 ProblemDetails: validation → 400 naming each field, not found → 404, forbidden → 403,
/// stale or lost race → 409, stale If-Match → 412, business rule → 422 with its rule code. Anything else is a 500 without internals.
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
            PreconditionFailed p => Results.Problem(statusCode: 412, title: "Precondition failed", detail: p.Message,
                extensions: new Dictionary<string, object?> { ["code"] = "precondition.failed", ["currentETag"] = p.Current }),
            ConcurrencyConflict c => Results.Problem(statusCode: 409, title: "Conflict", detail: c.Message, extensions: new Dictionary<string, object?> { ["code"] = c.Code }),
            DbUpdateConcurrencyException => Results.Problem(statusCode: 409, title: "Conflict",
                detail: "Someone else changed this at the same time; reload and try again.",
                extensions: new Dictionary<string, object?> { ["code"] = "concurrency.conflict" }),
            DomainRuleViolation d => Results.Problem(statusCode: 422, title: "Rule violated", detail: d.Message, extensions: new Dictionary<string, object?> { ["code"] = d.Code }),
            BadHttpRequestException b => Results.Problem(statusCode: b.StatusCode, title: "Bad request", detail: b.Message),
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

    /// <summary>FluentValidation names nested members <c>Requester.Email</c>; the JSON the client sent says <c>requester.email</c>.</summary>
    public static string CamelCase(string path) =>
        string.Join('.', path.Split('.').Select(p => p.Length > 0 && char.IsUpper(p[0]) ? char.ToLowerInvariant(p[0]) + p[1..] : p));
}
