using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Common;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Web.Endpoints;

/// <summary>
/// The <c>Idempotency-Key</c> header on writes that create (ADR 0012): a retry with the caller's key gets the first answer
/// back (<c>Idempotent-Replayed: true</c>) and writes nothing; the same key with another request is a 422. Without the
/// header nothing changes. Only a success is remembered: a refused request may be corrected and sent again with its key.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";

    /// <summary>Makes the endpoint idempotent under a key; its success is <paramref name="status"/> with the result as the body.</summary>
    public static RouteHandlerBuilder Idempotent<TResult>(this RouteHandlerBuilder endpoint, Func<TResult, string> location, int status = StatusCodes.Status201Created) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!http.Request.Headers.TryGetValue(Header, out var values)) return await next(context);
            var key = values.Count == 1 ? values[0] ?? "" : "";
            if (Problem(key) is { } problem)
                return Results.ValidationProblem(new Dictionary<string, string[]> { [Header] = [problem] }, title: "The request is not valid");

            var services = http.RequestServices;
            var scope = services.GetRequiredService<ICurrentAgent>().AgentId?.ToString() ?? "system";
            var hash = RequestHash(context);
            var clock = services.GetRequiredService<IClock>();
            var db = services.GetRequiredService<HelpDeskDbContext>();
            if (await IdempotentWrite.FindAsync(db, scope, key, clock.GetCurrentInstant(), http.RequestAborted) is { } stored)
                return Replay(stored, hash);

            var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            services.GetRequiredService<IdempotentWrite>().Begin(scope, key, hash,
                result => new IdempotentAnswer(status, location((TResult)result), JsonSerializer.Serialize(result, result.GetType(), json)));
            try
            {
                return await next(context);
            }
            catch (Exception ex) when (ex is DbUpdateException or ConcurrencyConflict)
            {
                // A concurrent request with the same key committed first (its row refused ours): answer as it was answered.
                await using var fresh = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
                var raced = await IdempotentWrite.FindAsync(fresh.ServiceProvider.GetRequiredService<HelpDeskDbContext>(), scope, key,
                    clock.GetCurrentInstant(), http.RequestAborted);
                if (raced is null) throw;
                return Replay(raced, hash);
            }
        });

    private static string? Problem(string key) =>
        key.Length == 0 ? $"'{Header}' must be one non-empty value."
        : key.Length > IdempotentWrite.MaxKeyLength ? $"'{Header}' must be at most {IdempotentWrite.MaxKeyLength} characters."
        : key.Any(c => c is < '!' or > '~') ? $"'{Header}' may contain only visible ASCII characters."
        : null;

    private static IResult Replay(IdempotencyRecord stored, string hash)
    {
        if (stored.RequestHash != hash)
            return Results.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Rule violated",
                detail: $"This {Header} was used for a different request; use a new key for a new request.",
                extensions: new Dictionary<string, object?> { ["code"] = "idempotency.key_reused", ["field"] = Header });
        return new ReplayResult(stored);
    }

    /// <summary>Method, path and the bound body (as JSON, so formatting does not matter): what makes two requests "the same".</summary>
    private static string RequestHash(EndpointFilterInvocationContext context)
    {
        var http = context.HttpContext;
        var bodyType = http.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType;
        var body = bodyType is null ? null : context.Arguments.FirstOrDefault(a => a?.GetType() == bodyType);
        var text = $"{http.Request.Method} {http.Request.Path}\n{(body is null ? "" : JsonSerializer.Serialize(body, bodyType!))}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    private sealed class ReplayResult(IdempotencyRecord stored) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = stored.Status;
            http.Response.ContentType = "application/json; charset=utf-8";
            if (stored.Location is { } location) http.Response.Headers.Location = location;
            http.Response.Headers[ReplayedHeader] = "true";
            return http.Response.WriteAsync(stored.Body, http.RequestAborted);
        }
    }
}
