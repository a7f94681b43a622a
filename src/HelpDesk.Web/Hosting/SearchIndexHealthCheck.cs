using HelpDesk.Application.Search;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HelpDesk.Web.Hosting;

/// <summary>
/// Degraded (still 200) while this node's search backfill has not found the index complete: tickets without a search
/// document cannot be found yet. Reads the backfill's last report, never the database (a probe must stay cheap); the
/// exact figure is <c>helpdesk search rebuild --check</c>.
/// </summary>
public sealed class SearchIndexHealthCheck(SearchIndexStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        Task.FromResult(status.Problem is { } problem ? HealthCheckResult.Degraded(problem) : HealthCheckResult.Healthy());
}
