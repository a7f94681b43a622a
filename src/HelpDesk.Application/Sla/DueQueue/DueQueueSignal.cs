using HelpDesk.Application.Common;
using HelpDesk.Domain.Tickets;

namespace HelpDesk.Application.Sla.DueQueue;

/// <summary>
/// Cuts the due-queue's wait short. Any committed ticket change may move the next alert earlier (a new ticket, a
/// priority raised), so every committed event wakes it; the queue then re-reads the minimum due instant.
/// </summary>
public sealed class DueQueueSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Wake()
    {
        try
        {
            if (_signal.CurrentCount == 0) _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled: one wake-up is enough.
        }
    }

    /// <summary>Waits for a wake-up or the timeout; true when woken.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>Wakes the due-queue after ticket changes are committed.</summary>
public sealed class DueQueueWakeup(DueQueueSignal signal) : ITicketEventSubscriber
{
    public ValueTask OnCommittedAsync(IReadOnlyList<TicketEvent> events, CancellationToken ct)
    {
        signal.Wake();
        return ValueTask.CompletedTask;
    }
}
