using HelpDesk.Application.Persistence;

namespace HelpDesk.Web.AgentConsole;

/// <summary>
/// A job every node runs on a timer (sweeps whose repetition is harmless): waits <see cref="FirstDelay"/>, then runs
/// <see cref="SweepAsync"/> every <see cref="Interval"/>; a failed run is logged and tried again at the next tick.
/// </summary>
public abstract class PeriodicSweep(ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    protected virtual TimeSpan FirstDelay => Interval;

    /// <summary>False: the job is switched off by configuration and never runs.</summary>
    protected virtual bool Enabled => true;

    protected abstract Task SweepAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        BackgroundWork.Enter(GetType().Name);
        try { await Task.Delay(FirstDelay, stoppingToken); } catch (OperationCanceledException) { return; }
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "{Job} failed; trying again in {Interval}", GetType().Name, Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
