using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Domain.Sla;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tickets.GetTicketSla;

/// <summary>Every SLA cycle of a ticket at this instant, with its explanation (segments) and the versions that applied.</summary>
public sealed record GetTicketSla(int Number) : IQuery<TicketSlaResult>;

public sealed record TermsVersionDto(Instant From, string Policy, int PolicyVersion, string Calendar, int CalendarVersion);

public sealed record TicketSlaResult(int Number, Instant EvaluatedAt, string? Policy, IReadOnlyList<TermsVersionDto> Versions, SlaReport Report);

public sealed class GetTicketSlaHandler(HelpDeskDbContext db, Caller caller, IClock clock, SlaConfigurationCache cache)
    : IQueryHandler<GetTicketSla, TicketSlaResult>
{
    public async ValueTask<TicketSlaResult> Handle(GetTicketSla query, CancellationToken ct)
    {
        var ticket = await caller.VisibleTicketAsync(db.Tickets.AsNoTracking().Include(t => t.History), query.Number, ct);
        var now = clock.GetCurrentInstant();
        var configuration = await cache.GetAsync(db, ct);
        var (initial, events) = TicketSla.Ledger(ticket, configuration, now);
        if (initial is null) return new TicketSlaResult(ticket.Number, now, null, [], SlaReport.Empty);
        var versions = new List<TermsVersionDto> { Version(ticket.CreatedAt, initial) };
        versions.AddRange(events.OfType<SlaEvent.TermsChanged>().Select(e => Version(e.At, e.Terms)));
        return new TicketSlaResult(ticket.Number, now, ticket.SlaPolicyName, versions, SlaEngine.Evaluate(initial, events, now));
    }

    private static TermsVersionDto Version(Instant from, SlaTerms t) => new(from, t.PolicyName, t.PolicyVersion, t.CalendarName, t.CalendarVersion);
}

/// <summary>
/// A ticket's SLA as a simulator scenario (<see cref="Sla.Simulation.SlaScenarioWriter"/>): its events, the terms in force now,
/// evaluated now; null when no policy applies. The scenario format has one set of terms, so earlier versions are not in it.
/// </summary>
public sealed record GetTicketSlaScenario(int Number) : IQuery<string?>;

public sealed class GetTicketSlaScenarioHandler(HelpDeskDbContext db, Caller caller, IClock clock, SlaConfigurationCache cache)
    : IQueryHandler<GetTicketSlaScenario, string?>
{
    public async ValueTask<string?> Handle(GetTicketSlaScenario query, CancellationToken ct)
    {
        var ticket = await caller.VisibleTicketAsync(db.Tickets.AsNoTracking().Include(t => t.History), query.Number, ct);
        var now = clock.GetCurrentInstant();
        var (initial, events) = TicketSla.Ledger(ticket, await cache.GetAsync(db, ct), now);
        if (initial is null) return null;
        var terms = events.OfType<SlaEvent.TermsChanged>().LastOrDefault()?.Terms ?? initial;
        return Sla.Simulation.SlaScenarioWriter.Write(terms, events, now);
    }
}
