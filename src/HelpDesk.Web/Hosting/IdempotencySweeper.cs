using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Web.AgentConsole;
using NodaTime;

namespace HelpDesk.Web.Hosting;

/// <summary>
/// Deletes remembered <c>Idempotency-Key</c> answers older than <see cref="IdempotentWrite.Retention"/> once an hour, on the
/// node holding the <c>idempotency-sweep</c> lease (one node sweeps; a lookup treats an expired answer as gone meanwhile).
/// </summary>
public sealed class IdempotencySweeper(IServiceScopeFactory scopes, IClock clock, ILogger<IdempotencySweeper> logger) : PeriodicSweep(logger)
{
    public const string LeaseName = "idempotency-sweep";

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override TimeSpan FirstDelay => TimeSpan.FromMinutes(2);

    protected override async Task SweepAsync(CancellationToken ct)
    {
        if (!await scopes.TryAcquireLeaseAsync(LeaseName, Duration.FromMinutes(30), ct)) return;
        await using var scope = scopes.CreateAsyncScope();
        var deleted = await IdempotentWrite.DeleteExpiredAsync(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>(), clock.GetCurrentInstant(), ct);
        if (deleted > 0) logger.LogInformation("Deleted {Count} expired idempotency keys", deleted);
    }
}
