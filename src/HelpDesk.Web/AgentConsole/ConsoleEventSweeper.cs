using HelpDesk.Application.AgentConsole;
using NodaTime;

namespace HelpDesk.Web.AgentConsole;

/// <summary>
/// Deletes console events older than <c>HelpDesk:Console:EventRetentionDays</c> (7 by default; 0 keeps them all) once
/// an hour, starting a minute after start-up. Every node sweeps; deleting what another node deleted is harmless.
/// </summary>
public sealed class ConsoleEventSweeper(IServiceScopeFactory scopes, IConfiguration configuration, IClock clock, ILogger<ConsoleEventSweeper> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var days = configuration.GetValue("HelpDesk:Console:EventRetentionDays", ConsoleEventRetention.DefaultDays);
        if (days <= 0) return;
        try { await Task.Delay(TimeSpan.FromMinutes(1), stoppingToken); } catch (OperationCanceledException) { return; }
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var deleted = await scope.ServiceProvider.GetRequiredService<ConsoleEventRetention>()
                    .DeleteOlderThanAsync(clock.GetCurrentInstant() - Duration.FromDays(days), stoppingToken);
                if (deleted > 0) logger.LogInformation("Deleted {Count} console events older than {Days} days", deleted, days);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Console event retention failed; trying again in {Interval}", Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
