using HelpDesk.Application.Telemetry;
using HelpDesk.Domain.Tickets;
using Microsoft.Extensions.Logging;

namespace HelpDesk.Application.Common;

/// <summary>Receives ticket events after they are committed (console pushes, due-queue wake-ups).</summary>
public interface ITicketEventSubscriber
{
    ValueTask OnCommittedAsync(IReadOnlyList<TicketEvent> events, CancellationToken ct);
}

/// <summary>
/// Hands committed ticket events to every subscriber. Handlers call it only after SaveChanges succeeded, so nothing
/// leaves the process for a change that was rolled back. A failing subscriber is logged and never fails the command.
/// </summary>
public sealed class TicketEventPublisher(IEnumerable<ITicketEventSubscriber> subscribers, PendingCycleStops stops, ILogger<TicketEventPublisher> logger)
{
    public Task PublishAsync(Ticket ticket, CancellationToken ct) => PublishAsync([ticket], ct);

    /// <summary>The events of several tickets committed together (a batch of mail), handed over in one call.</summary>
    public async Task PublishAsync(IReadOnlyCollection<Ticket> tickets, CancellationToken ct)
    {
        var events = new List<TicketEvent>();
        foreach (var ticket in tickets)
        {
            stops.Committed(ticket.Id);
            events.AddRange(ticket.Events);
            ticket.ClearEvents();
        }
        if (events.Count == 0) return;
        foreach (var subscriber in subscribers)
        {
            try
            {
                await subscriber.OnCommittedAsync(events, ct);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Subscriber {Subscriber} failed on events of tickets {Numbers}", subscriber.GetType().Name,
                    string.Join(", ", events.Select(e => e.Number).Distinct().Select(n => $"#{n}")));
            }
        }
    }
}
