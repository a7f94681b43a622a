using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Application.Tickets;

/// <summary>What a change of an existing ticket gets to work with.</summary>
public sealed record TicketChangeContext(Ticket Ticket, Agent? Agent, Actor Actor, Instant Now);

/// <summary>
/// The one path every change of an existing ticket takes: load it, check the caller may see it, let the aggregate
/// decide, recompute the SLA schedule, save once (the version column refuses a lost race), then publish.
/// </summary>
public sealed class TicketChanges(HelpDeskDbContext db, IClock clock, Caller caller, SlaScheduler sla, TicketEventPublisher publisher)
{
    public async Task<TicketDto> ApplyAsync(int number, Func<TicketChangeContext, Task> change, CancellationToken ct)
    {
        var ticket = await db.LoadForChangeAsync(number, ct);
        await caller.EnsureCanSeeAsync(ticket, ct);
        var agent = await caller.AgentAsync(ct);
        var actor = await caller.ActorAsync(ct);
        var now = clock.GetCurrentInstant();
        await change(new TicketChangeContext(ticket, agent, actor, now));
        await sla.RefreshAsync(ticket, now, ct);
        await db.SaveChangesAsync(ct);
        await publisher.PublishAsync(ticket, ct);
        return await db.ToDtoAsync(ticket, ct);
    }

    public Task<TicketDto> ApplyAsync(int number, Action<TicketChangeContext> change, CancellationToken ct) =>
        ApplyAsync(number, c => { change(c); return Task.CompletedTask; }, ct);
}
