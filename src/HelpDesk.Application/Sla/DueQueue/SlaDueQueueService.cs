using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Application.Sla.DueQueue;

/// <summary>
/// Runs the due-queue at the instants things are due: while this node holds the <c>sla-due-queue</c> lease it fires what
/// is due, reads the next due instant and sleeps until then. The sleep ends early when a ticket change is committed on
/// this node (<see cref="DueQueueSignal"/>) and at least every <see cref="Recheck"/> (and every third of the lease's
/// lifetime), so changes made on other nodes and lease renewals are never late by more than that. A node without the
/// lease tries to take it every <see cref="LeaseOptions.TakeoverCheckSeconds"/>.
/// </summary>
public sealed class SlaDueQueueService(SlaDueQueue queue, DueQueueSignal signal, IServiceScopeFactory scopes, IClock clock,
    IOptions<LeaseOptions> leases, ILogger<SlaDueQueueService> logger) : BackgroundService
{
    public const string LeaseName = "sla-due-queue";
    public static readonly TimeSpan Recheck = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan AfterError = TimeSpan.FromSeconds(1);
    private readonly HeldLease _lease = new(scopes, LeaseName, leases.Value.DueQueue, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        BackgroundWork.Enter("due-queue");
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = _lease.Terms.TakeoverCheck;
            try
            {
                if (await _lease.TryHoldAsync(stoppingToken))
                {
                    wait = _lease.Terms.HolderWait(Recheck);
                    var result = await queue.FireDueAsync(stoppingToken);
                    if (!result.IsEmpty || result.Failed > 0)
                        logger.LogInformation("Due-queue fired {Alerts} SLA alerts and {Steps} escalation steps ({Failed} tickets failed)",
                            result.Alerts.Count, result.Steps.Count, result.Failed);
                    if (await queue.NextDueAsync(stoppingToken) is { } next)
                    {
                        var untilDue = (next - clock.GetCurrentInstant()).ToTimeSpan();
                        wait = untilDue <= TimeSpan.Zero ? TimeSpan.Zero : untilDue < wait ? untilDue : wait;
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Due-queue pass failed");
                wait = AfterError;
            }
            try
            {
                await signal.WaitAsync(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await _lease.ReleaseAsync();
    }
}
