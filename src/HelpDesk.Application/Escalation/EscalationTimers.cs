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
        if (UnassignedSpell.Of(ticket) is not { } spell) return null;
        var timed = (await rules.GetAsync(db, ct)).Where(r => r.HasTimers).ToList();
        if (timed.Count == 0) return null;
        var facts = await SlaScheduler.FactsAsync(db, ticket, ct);
        var fired = await FiredAsync(ticket.Id, ct);
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
