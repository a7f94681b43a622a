using HelpDesk.Application.AgentConsole;
using Microsoft.AspNetCore.SignalR;

namespace HelpDesk.Web.AgentConsole;

/// <summary>
/// Drops presence rows whose heartbeat stopped (a connection that vanished without a disconnect, a node that died) and
/// tells the tickets' viewers. Every node sweeps; deleting an expired row twice is harmless.
/// </summary>
public sealed class PresenceSweeper(IServiceScopeFactory scopes, IHubContext<ConsoleHub, IConsoleClient> hub, ConsoleNode node, ILogger<PresenceSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var store = scope.ServiceProvider.GetRequiredService<ConsolePresenceStore>();
                foreach (var ticket in await store.SweepAsync(stoppingToken))
                    await node.PushPresenceAsync(hub.Clients.Group(ConsoleGroups.Ticket(ticket)), store, ticket, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Presence sweep failed; trying again in {Interval}", Interval);
            }
        }
    }
}
