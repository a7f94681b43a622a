using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using HelpDesk.Application.Auth;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace HelpDesk.Web.Auth;

/// <summary>
/// Marks an endpoint an attacker could hammer (sign-in, token creation, survey links): it is rate-limited per client
/// address and per account (<paramref name="Account"/>: the e-mail signed in with, the caller, the survey token).
/// <paramref name="HashesPasswords"/> endpoints also share a small concurrency limit, so a burst of password checks
/// (PBKDF2, CPU-bound) queues instead of taking every core from other users' requests.
/// </summary>
public sealed record SignInLimited(Func<HttpContext, string?> Account, bool HashesPasswords = false);

/// <summary>
/// ASP.NET Core's rate limiter on the <see cref="SignInLimited"/> endpoints: a fixed window a minute per client address and
/// per account (<see cref="SignInOptions"/>), chained. The windows are per node (in memory); the lockout that follows
/// repeated failures is in the database (<see cref="SignInGuard"/>). A refused request gets 429 ProblemDetails with Retry-After.
/// </summary>
public static class SignInLimits
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    public static IServiceCollection AddSignInLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SignInOptions>().Bind(configuration.GetSection(SignInOptions.Section))
            .Validate(o => o.Problem() is null, "HelpDesk:SignIn: see SignInOptions for the allowed values.").ValidateOnStart();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(ctx => Limited(ctx) is null
                    ? RateLimitPartition.GetNoLimiter("")
                    : PerMinute("address:" + (ctx.Connection.RemoteIpAddress?.ToString() ?? "none"), ctx, s => s.PermitsPerMinutePerAddress)),
                PartitionedRateLimiter.Create<HttpContext, string>(ctx => Limited(ctx) is not { } limited
                    ? RateLimitPartition.GetNoLimiter("")
                    : PerMinute("account:" + (limited.Account(ctx) ?? ""), ctx, s => s.PermitsPerMinutePerAccount)),
                PartitionedRateLimiter.Create<HttpContext, string>(ctx => Limited(ctx) is not { HashesPasswords: true }
                    ? RateLimitPartition.GetNoLimiter("")
                    : RateLimitPartition.GetConcurrencyLimiter("hashing", _ => new ConcurrencyLimiterOptions
                    {
                        PermitLimit = Math.Max(1, Environment.ProcessorCount / 2),
                        QueueLimit = 256,
                        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    })));
            o.OnRejected = async (context, ct) =>
            {
                var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Ceiling(retryAfter.TotalSeconds) : Window.TotalSeconds;
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, seconds).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: $"Too many attempts from this address or for this account; try again in {Math.Max(1, seconds)} seconds.",
                    type: "https://www.rfc-editor.org/rfc/rfc6585#section-4").ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    /// <summary>Rate-limits the endpoint per address and per account; <paramref name="account"/> names the account of a request.</summary>
    public static TBuilder LimitSignInAbuse<TBuilder>(this TBuilder builder, Func<HttpContext, string?> account, bool hashesPasswords = false)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new SignInLimited(account, hashesPasswords));

    /// <summary>The account of token calls: the agent calling.</summary>
    public static string? Caller(HttpContext ctx) => ctx.User.FindFirstValue(ClaimTypes.NameIdentifier);

    /// <summary>The account of a sign-in form: the e-mail address it names (the form is read before the limiter runs).</summary>
    public static string? FormEmail(HttpContext ctx) =>
        ctx.Request.HasFormContentType && ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IFormFeature>()?.Form is { } form ? form["email"].ToString().Trim().ToLowerInvariant() : null;

    /// <summary>The account of survey links: the token in the path.</summary>
    public static string? RouteToken(HttpContext ctx) => ctx.Request.RouteValues["token"]?.ToString();

    /// <summary>Reads the form of limited endpoints first (the limiter's partition key is synchronous), then limits.</summary>
    public static IApplicationBuilder UseSignInLimits(this IApplicationBuilder app)
    {
        app.Use(async (ctx, next) =>
        {
            if (Limited(ctx) is not null && ctx.Request.HasFormContentType)
            {
                // A malformed form is left to the endpoint's binding, which answers 400; the limiter then counts it without an account.
                try { await ctx.Request.ReadFormAsync(ctx.RequestAborted); }
                catch (InvalidDataException) { }
            }
            await next();
        });
        return app.UseRateLimiter();
    }

    private static SignInLimited? Limited(HttpContext ctx) => ctx.GetEndpoint()?.Metadata.GetMetadata<SignInLimited>();

    private static RateLimitPartition<string> PerMinute(string key, HttpContext ctx, Func<SignInOptions, int> permits)
    {
        var limit = permits(ctx.RequestServices.GetRequiredService<IOptions<SignInOptions>>().Value);
        return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = Window, QueueLimit = 0 });
    }
}
