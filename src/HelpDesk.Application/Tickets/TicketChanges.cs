using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Application.Surveys;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using Microsoft.EntityFrameworkCore;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Application.Tickets;

/// <summary>What a change of an existing ticket gets to work with.</summary>
public sealed record TicketChangeContext(Ticket Ticket, Agent? Agent, Actor Actor, Instant Now);

/// <summary>
/// The one path every change of an existing ticket takes: load it, check the caller may see it, let the aggregate
/// decide, settle it (<see cref="SettleAsync"/>), save once (the version column refuses a lost race), then publish after
/// the commit. Changes the help desk makes itself share the same steps inside their own unit of work: mail appended by a
/// batch (one savepoint a message, one commit a batch, ADR 0008) and the due-queue firing alerts.
/// </summary>
public sealed class TicketChanges(HelpDeskDbContext db, IClock clock, Caller caller, SlaScheduler sla, TicketEventPublisher publisher,
    SurveyOnSolve surveys, IdempotentWrite idempotent)
{
    /// <param name="answer">What the caller answers for the changed ticket, recorded with the change when the request
    /// carries an <c>Idempotency-Key</c> (<see cref="IdempotentWrite"/>); by default the ticket itself.</param>
    public async Task<TicketDto> ApplyAsync(int number, Func<TicketChangeContext, Task> change, CancellationToken ct,
        Func<TicketDto, object>? answer = null)
    {
        var ticket = await db.LoadForChangeAsync(number, ct);
        await caller.EnsureCanSeeAsync(ticket, ct);
        var agent = await caller.AgentAsync(ct);
        var actor = await caller.ActorAsync(ct);
        var now = clock.GetCurrentInstant();
        var loadedVersion = ticket.Version;
        await change(new TicketChangeContext(ticket, agent, actor, now));
        await SettleAsync(ticket, now, ct);
        // The ticket's answer is built before the save from what is tracked, so it is saved in the same SaveChanges.
        if (idempotent.IsPending)
        {
            var dto = await db.ToDtoAsync(ticket, ct);
            idempotent.Record(db, answer is null ? dto : answer(dto), now);
        }
        await SaveAsync(db, ticket, loadedVersion, ct);
        await publisher.PublishAsync(ticket, ct);
        return await db.ToDtoAsync(ticket, ct);
    }

    /// <summary>
    /// What follows the aggregate's decision on every path, before the unit of work saves: the survey of a solve (in the
    /// same unit of work, so it exists if and only if the solve was committed), the SLA schedule and the reporting rows.
    /// </summary>
    public async Task<Domain.Sla.SlaReport> SettleAsync(Ticket ticket, Instant now, CancellationToken ct)
    {
        await surveys.EnqueueIfSolvedAsync(ticket, ct);
        return await sla.RefreshAsync(ticket, now, ct);
    }

    /// <summary>
    /// Saves a changed ticket. A concurrent change of the same ticket is refused either by the version column or, when
    /// the database reports the history rows first, by the unique (ticket, sequence) index; both become a
    /// <see cref="ConcurrencyConflict"/> (409), never a 500.
    /// </summary>
    public static async Task SaveAsync(HelpDeskDbContext db, Ticket ticket, int loadedVersion, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex is not DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            var current = await db.Tickets.Where(t => t.Id == ticket.Id).Select(t => t.Version).SingleOrDefaultAsync(ct);
            if (current != loadedVersion)
                throw new ConcurrencyConflict("concurrency.conflict", $"Someone else changed ticket #{ticket.Number} at the same time; reload and try again.");
            throw;
        }
    }

    public Task<TicketDto> ApplyAsync(int number, Action<TicketChangeContext> change, CancellationToken ct) =>
        ApplyAsync(number, c => { change(c); return Task.CompletedTask; }, ct);
}
