using HelpDesk.Application.AgentConsole;
using NodaTime;

namespace HelpDesk.Web.AgentConsole;

/// <summary>
/// Deletes console events older than <c>HelpDesk:Console:EventRetentionDays</c> (7 by default; 0 keeps them all) once
/// an hour, starting a minute after start-up. Every node sweeps; deleting what another node deleted is harmless.
/// </summary>
public sealed class ConsoleEventSweeper(IServiceScopeFactory scopes, IConfiguration configuration, IClock clock, ILogger<ConsoleEventSweeper> logger)
    : PeriodicSweep(logger)
{
    private readonly int _days = configuration.GetValue("HelpDesk:Console:EventRetentionDays", ConsoleEventRetention.DefaultDays);

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override TimeSpan FirstDelay => TimeSpan.FromMinutes(1);

    protected override bool Enabled => _days > 0;

    protected override async Task SweepAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var deleted = await scope.ServiceProvider.GetRequiredService<ConsoleEventRetention>()
            .DeleteOlderThanAsync(clock.GetCurrentInstant() - Duration.FromDays(_days), ct);
        if (deleted > 0) logger.LogInformation("Deleted {Count} console events older than {Days} days", deleted, _days);
    }
}
