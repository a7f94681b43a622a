using HelpDesk.Application.Audit;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Web.AgentConsole;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Web.Hosting;

/// <summary>
/// Deletes audit rows older than <c>HelpDesk:Audit:RetentionDays</c> once an hour, on the node holding the
/// <c>audit-retention</c> lease (docs/security.md "Audit log").
/// </summary>
public sealed class AuditLogSweeper(IServiceScopeFactory scopes, IClock clock, IOptions<AuditOptions> options, ILogger<AuditLogSweeper> logger)
    : PeriodicSweep(logger)
{
    public const string LeaseName = "audit-retention";

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override TimeSpan FirstDelay => TimeSpan.FromMinutes(3);

    protected override async Task SweepAsync(CancellationToken ct)
    {
        if (!await scopes.TryAcquireLeaseAsync(LeaseName, Duration.FromMinutes(30), ct)) return;
        await using var scope = scopes.CreateAsyncScope();
        var deleted = await AuditOptions.DeleteExpiredAsync(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>(),
            clock.GetCurrentInstant(), options.Value.RetentionDays, ct);
        if (deleted > 0) logger.LogInformation("Deleted {Count} audit rows older than {Days} days", deleted, options.Value.RetentionDays);
    }
}
