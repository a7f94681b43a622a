using HelpDesk.Application.AgentConsole;
using Microsoft.AspNetCore.SignalR;

namespace HelpDesk.Web.AgentConsole;

/// <summary>
/// Drops presence rows whose heartbeat stopped (a connection that vanished without a disconnect, a node that died) and
/// tells the tickets' viewers. Every node sweeps; deleting an expired row twice is harmless.
/// </summary>
public sealed class PresenceSweeper(IServiceScopeFactory scopes, IHubContext<ConsoleHub, IConsoleClient> hub, ConsoleNode node, ILogger<PresenceSweeper> logger)
    : PeriodicSweep(logger)
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(10);

    protected override TimeSpan Interval => Every;

    protected override async Task SweepAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ConsolePresenceStore>();
        foreach (var ticket in await store.SweepAsync(ct))
            await node.PushPresenceAsync(hub.Clients.Group(ConsoleGroups.Ticket(ticket)), store, ticket, ct);
    }
}
