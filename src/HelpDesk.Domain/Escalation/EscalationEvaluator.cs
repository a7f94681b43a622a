using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Domain.Escalation;

/// <summary>What just happened to a ticket that rules may react to.</summary>
public abstract record EscalationTrigger
{
    /// <summary>The due-queue fired an SLA alert (percent 100 is the breach).</summary>
    public sealed record SlaAlert(SlaMetric Metric, int Cycle, int Percent) : EscalationTrigger;

    /// <summary>The ticket has been unassigned for <see cref="Elapsed"/> business time in its unassigned spell <see cref="Cycle"/>.</summary>
    public sealed record Unassigned(int Cycle, Duration Elapsed) : EscalationTrigger;
}

/// <summary>
/// The clock a firing belongs to: one of the SLA metrics or the unassigned timer. A step fires once per (clock, cycle).
/// </summary>
public static class EscalationClock
{
    public const string Unassigned = "unassigned";

    public static string Of(SlaMetric metric) => metric switch
    {
        SlaMetric.FirstResponse => "firstResponse",
        SlaMetric.NextReply => "nextReply",
        SlaMetric.Resolution => "resolution",
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };
}

/// <summary>Identifies a step that has fired for one ticket (the ticket is implied).</summary>
public readonly record struct FiringKey(Guid RuleId, int Step, string Clock, int Cycle);

/// <summary>A step that must fire now, with the key to record so it never fires twice.</summary>
public sealed record StepFiring(EscalationRule Rule, EscalationStep Step, string Clock, int Cycle)
{
    public FiringKey Key => new(Rule.Id, Step.Number, Clock, Cycle);
}

/// <summary>
/// A stretch of time during which a ticket had no assignee: from creation, or from its latest unassignment.
/// Spells are numbered from 1; every unassignment starts the next one, so unassigned-for steps fire again.
/// </summary>
public sealed record UnassignedSpell(int Cycle, Instant Since)
{
    /// <summary>The current spell, or null when the ticket is assigned, solved or closed.</summary>
    public static UnassignedSpell? Of(Ticket ticket)
    {
        if (ticket.AssigneeId is not null || ticket.IsSolvedOrClosed) return null;
        var unassignments = ticket.History.Where(h => h.Kind == TicketChangeKind.Assigned && h.To is null).OrderBy(h => h.Sequence).ToList();
        return new UnassignedSpell(1 + unassignments.Count, unassignments.Count == 0 ? ticket.CreatedAt : unassignments[^1].At);
    }
}

/// <summary>Decides which steps of a rule fire. Pure: the caller passes the facts, the trigger and what already fired.</summary>
public static class EscalationEvaluator
{
    /// <summary>
    /// The steps of <paramref name="rule"/> that fire on <paramref name="trigger"/>, in ladder order, leaving out those
    /// already in <paramref name="fired"/>. Once a ladder has fired a step for a (clock, cycle), later steps of that cycle
    /// fire even if an earlier step changed the facts the filters look at (e.g. raised the priority).
    /// </summary>
    public static IReadOnlyList<StepFiring> Evaluate(EscalationRule rule, TicketFacts facts, EscalationTrigger trigger, IReadOnlySet<FiringKey> fired)
    {
        if (!rule.IsActive) return [];
        var (clock, cycle) = ClockOf(trigger);
        var entered = fired.Any(k => k.RuleId == rule.Id && k.Clock == clock && k.Cycle == cycle);
        if (!entered && !rule.Filters.Matches(facts)) return [];
        return rule.Steps
            .Where(s => Meets(s.When, trigger) && !fired.Contains(new FiringKey(rule.Id, s.Number, clock, cycle)))
            .Select(s => new StepFiring(rule, s, clock, cycle))
            .ToList();
    }

    /// <summary>
    /// The earliest instant at which an unassigned-for step of <paramref name="rule"/> that has not fired in this spell
    /// becomes due, or null. Steps already due are reported with their (past) instant so the due-queue picks them up.
    /// </summary>
    public static Instant? NextUnassignedDue(EscalationRule rule, TicketFacts facts, UnassignedSpell spell, BusinessCalendar calendar, IReadOnlySet<FiringKey> fired)
    {
        if (!rule.IsActive) return null;
        var entered = fired.Any(k => k.RuleId == rule.Id && k.Clock == EscalationClock.Unassigned && k.Cycle == spell.Cycle);
        if (!entered && !rule.Filters.Matches(facts)) return null;
        return rule.Steps
            .Where(s => s.When is EscalationCondition.Unassigned && !fired.Contains(new FiringKey(rule.Id, s.Number, EscalationClock.Unassigned, spell.Cycle)))
            .Select(s => (Instant?)calendar.AddBusinessTime(spell.Since, ((EscalationCondition.Unassigned)s.When).For))
            .Min();
    }

    public static bool Meets(EscalationCondition condition, EscalationTrigger trigger) => (condition, trigger) switch
    {
        (EscalationCondition.SlaWarning w, EscalationTrigger.SlaAlert a) => (w.Metric is null || w.Metric == a.Metric) && a.Percent >= w.Percent,
        (EscalationCondition.SlaBreached b, EscalationTrigger.SlaAlert a) => (b.Metric is null || b.Metric == a.Metric) && a.Percent >= SlaAlertPoint.Breach,
        (EscalationCondition.Unassigned u, EscalationTrigger.Unassigned t) => t.Elapsed >= u.For,
        _ => false,
    };

    private static (string Clock, int Cycle) ClockOf(EscalationTrigger trigger) => trigger switch
    {
        EscalationTrigger.SlaAlert a => (EscalationClock.Of(a.Metric), a.Cycle),
        EscalationTrigger.Unassigned u => (EscalationClock.Unassigned, u.Cycle),
        _ => throw new ArgumentOutOfRangeException(nameof(trigger)),
    };
}
