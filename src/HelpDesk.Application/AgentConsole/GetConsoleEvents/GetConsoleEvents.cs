using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.AgentConsole.GetConsoleEvents;

/// <summary>Events of one stream after sequence <see cref="After"/>, oldest first: what a reconnecting console missed.</summary>
public sealed record GetConsoleEvents(string Stream, long After, int Limit = 500) : IQuery<ConsoleEventPage>;

public sealed record ConsoleEventDto(string Stream, long Seq, string Type, int? Ticket, Instant At, System.Text.Json.JsonElement Data);

/// <summary>
/// <see cref="Head"/>: the stream's newest sequence; fetch again after the last one returned while it is larger.
/// <see cref="Reset"/>: events after <c>after</c> are no longer kept (retention): replaying cannot fill the gap, so
/// reload the state (the queue) and continue from <see cref="Head"/>.
/// </summary>
public sealed record ConsoleEventPage(string Stream, long Head, IReadOnlyList<ConsoleEventDto> Events, bool Reset = false);

public sealed class GetConsoleEventsValidator : AbstractValidator<GetConsoleEvents>
{
    public GetConsoleEventsValidator()
    {
        RuleFor(q => q.Stream).NotEmpty().Must(s => s.StartsWith("team:") || s.StartsWith("agent:"))
            .WithMessage("'stream' must be team:NAME or agent:EMAIL.");
        RuleFor(q => q.After).GreaterThanOrEqualTo(0);
        RuleFor(q => q.Limit).InclusiveBetween(1, 1000);
    }
}

public sealed class GetConsoleEventsHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<GetConsoleEvents, ConsoleEventPage>
{
    public async ValueTask<ConsoleEventPage> Handle(GetConsoleEvents query, CancellationToken ct)
    {
        await ConsoleAccess.EnsureMayReadAsync(db, caller, query.Stream, ct);
        // The head first: every event up to it is committed, so any of them missing below was deleted, not in flight.
        var head = await db.Set<ConsoleStreamHead>().Where(h => h.Stream == query.Stream).Select(h => h.LastSequence).SingleOrDefaultAsync(ct);
        var rows = await db.Set<ConsoleEvent>().AsNoTracking()
            .Where(e => e.Stream == query.Stream && e.Sequence > query.After)
            .OrderBy(e => e.Sequence).Take(query.Limit).ToListAsync(ct);
        // Sequences have no holes, so a first event past after+1 (or none at all below the head) means deleted events.
        var reset = rows.Count > 0 ? rows[0].Sequence > query.After + 1 : head > query.After;
        return new ConsoleEventPage(query.Stream, head, rows.Select(ConsoleAccess.ToDto).ToList(), reset);
    }
}

/// <summary>Who may read (and so join) which stream: a team's members (admins: every team), and an agent their own.</summary>
public static class ConsoleAccess
{
    public static async Task EnsureMayReadAsync(HelpDeskDbContext db, Caller caller, string stream, CancellationToken ct)
    {
        var agent = await caller.AgentAsync(ct);
        if (agent is null) return;
        if (stream.StartsWith("agent:"))
        {
            if (!string.Equals(stream["agent:".Length..], agent.Email, StringComparison.OrdinalIgnoreCase))
                throw new ForbiddenException("You may read only your own agent stream.");
            return;
        }
        var name = stream["team:".Length..];
        var teamId = await db.Teams.Where(t => t.Name == name).Select(t => (Guid?)t.Id).SingleOrDefaultAsync(ct);
        if (teamId is null || !agent.CanWorkOn(teamId.Value))
            throw new ForbiddenException($"You are not a member of team '{name}'.");
    }

    public static ConsoleEventDto ToDto(ConsoleEvent e) =>
        new(e.Stream, e.Sequence, e.Type, e.TicketNumber, e.At, System.Text.Json.JsonDocument.Parse(e.Payload).RootElement.Clone());
}
