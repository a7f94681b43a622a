using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Domain.Escalation;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Escalation;

/// <summary>
/// Escalation steps that wait on time rather than on an SLA alert (unassigned-for). Their due instant is folded into
/// <see cref="Ticket.SlaNextAlertAt"/>, so the one due-queue serves both.
/// </summary>
public sealed class EscalationTimers(HelpDeskDbContext db, EscalationRuleCache rules)
{
    /// <summary>The earliest unassigned-for step due for this ticket that has not fired in its current spell, or null.</summary>
    public async Task<Instant?> NextDueAsync(Ticket ticket, SlaConfiguration configuration, Instant now, CancellationToken ct)
    {
        if (UnassignedSpell.Of(ticket) is null) return null;
        var timed = TimedRules(await rules.GetAsync(db, ct));
        if (timed.Count == 0) return null;
        var facts = await SlaScheduler.FactsAsync(db, ticket, ct);
        return NextDue(ticket, timed, facts, await FiredAsync(ticket.Id, ct), configuration, now);
    }

    /// <summary>The rules with unassigned-for steps; when there are none, no ticket has a timer.</summary>
    public static IReadOnlyList<EscalationRule> TimedRules(IReadOnlyList<EscalationRule> rules) => rules.Where(r => r.HasTimers).ToList();

    /// <summary>
    /// <see cref="NextDueAsync"/> for callers that loaded the timed rules, facts and fired steps in bulk. Pure.
    /// </summary>
    public static Instant? NextDue(Ticket ticket, IReadOnlyList<EscalationRule> timed, TicketFacts facts, IReadOnlySet<FiringKey> fired,
        SlaConfiguration configuration, Instant now)
    {
        if (timed.Count == 0 || UnassignedSpell.Of(ticket) is not { } spell) return null;
        var calendar = CalendarOf(ticket, configuration, now);
        return timed.Select(r => EscalationEvaluator.NextUnassignedDue(r, facts, spell, calendar, fired)).Min();
    }

    /// <summary>The steps that have fired for a ticket, including those added in this unit of work and not yet saved.</summary>
    public async Task<HashSet<FiringKey>> FiredAsync(Guid ticketId, CancellationToken ct)
    {
        var stored = await db.EscalationFirings.Where(f => f.TicketId == ticketId)
            .Select(f => new { f.RuleId, f.Step, f.Clock, f.Cycle }).ToListAsync(ct);
        var keys = stored.Select(f => new FiringKey(f.RuleId, f.Step, f.Clock, f.Cycle)).ToHashSet();
        keys.UnionWith(db.EscalationFirings.Local.Where(f => f.TicketId == ticketId).Select(f => new FiringKey(f.RuleId, f.Step, f.Clock, f.Cycle)));
        return keys;
    }

    /// <summary>Unassigned time is measured with the calendar of the ticket's SLA policy; 24/7 when it has none.</summary>
    public static BusinessCalendar CalendarOf(Ticket ticket, SlaConfiguration configuration, Instant now) =>
        ticket.SlaPolicyName is { } policy && configuration.TermsAt(policy, now) is { } terms ? terms.Calendar : BusinessCalendar.TwentyFourSeven;
}
