using HelpDesk.Domain.Common;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Domain.Escalation;

/// <summary>Which tickets a rule watches. An empty set means "any"; tags match when the ticket has any of them.</summary>
public sealed record EscalationFilters(IReadOnlySet<Priority> Priorities, IReadOnlySet<string> Teams, IReadOnlySet<string> Tags)
{
    public static EscalationFilters Any { get; } = new(new HashSet<Priority>(), new HashSet<string>(), new HashSet<string>());

    public bool Matches(TicketFacts t) =>
        (Priorities.Count == 0 || Priorities.Contains(t.Priority))
        && (Teams.Count == 0 || Teams.Contains(t.Team, StringComparer.OrdinalIgnoreCase))
        && (Tags.Count == 0 || t.Tags.Any(tag => Tags.Contains(tag, StringComparer.OrdinalIgnoreCase)));
}

/// <summary>When a step fires. <c>Metric == null</c> means any SLA clock.</summary>
public abstract record EscalationCondition
{
    /// <summary>An SLA alert of the metric at <see cref="Percent"/> or more of its target (a breach counts: it is past every warning).</summary>
    public sealed record SlaWarning(SlaMetric? Metric, int Percent) : EscalationCondition;

    /// <summary>The metric's cycle breached.</summary>
    public sealed record SlaBreached(SlaMetric? Metric) : EscalationCondition;

    /// <summary>The ticket has had no assignee for <see cref="For"/> of business time (ticket's SLA calendar; 24/7 without one).</summary>
    public sealed record Unassigned(Duration For) : EscalationCondition;
}

/// <summary>Who a notify action reaches.</summary>
public enum NotifyTarget
{
    /// <summary>The assignee; the ticket's team while it has none.</summary>
    Assignee = 0,
    /// <summary>A named agent (<see cref="EscalationAction.Notify.AgentEmail"/>).</summary>
    Agent = 1,
    /// <summary>Every active lead of the ticket's team; the team itself when it has no lead.</summary>
    Lead = 2,
    Team = 3,
}

/// <summary>What a step does. Agents are named by e-mail and teams by name (their stable handles).</summary>
public abstract record EscalationAction
{
    public sealed record Notify(NotifyTarget Target, string? AgentEmail = null) : EscalationAction;

    /// <summary>Gives the ticket to an agent (moving it to the agent's team when needed) or moves it to a team's queue.</summary>
    public sealed record Reassign(string? AgentEmail, string? TeamName) : EscalationAction;

    /// <summary>One step up (<c>To == null</c>) or to <see cref="To"/>; never lowers.</summary>
    public sealed record RaisePriority(Priority? To = null) : EscalationAction;

    public sealed record AddTag(string Tag) : EscalationAction;

    /// <summary>An internal system note on the ticket.</summary>
    public sealed record AddNote(string Text) : EscalationAction;
}

/// <summary>One rung of a ladder. Steps are numbered from 1 in ladder order.</summary>
public sealed record EscalationStep(int Number, EscalationCondition When, IReadOnlyList<EscalationAction> Actions);

/// <summary>
/// A named escalation rule: filters and a ladder of steps. Mutable; every replace bumps <see cref="Version"/>.
/// Rules are tried by ascending <see cref="Position"/> then name; all matching rules fire (not just the first).
/// </summary>
public sealed class EscalationRule
{
    public const int MaxSteps = 20;
    public const int MaxActionsPerStep = 20;

    private EscalationRule() { Name = ""; Filters = EscalationFilters.Any; Steps = []; }

    public EscalationRule(Guid id, string name, int position, bool isActive, EscalationFilters filters, IReadOnlyList<EscalationStep> steps, Instant now)
    {
        Id = id;
        Name = NormaliseName(name);
        Filters = filters;
        Steps = steps;
        Replace(position, isActive, filters, steps, now);
    }

    public Guid Id { get; private set; }
    public string Name { get; private set; }
    public int Position { get; private set; }
    public bool IsActive { get; private set; }
    public int Version { get; private set; }
    public Instant UpdatedAt { get; private set; }
    public EscalationFilters Filters { get; private set; }
    public IReadOnlyList<EscalationStep> Steps { get; private set; }

    /// <summary>True when some step waits on a timer (unassigned-for) rather than on an SLA alert.</summary>
    public bool HasTimers => Steps.Any(s => s.When is EscalationCondition.Unassigned);

    public void Replace(int position, bool isActive, EscalationFilters filters, IReadOnlyList<EscalationStep> steps, Instant now)
    {
        if (steps.Count == 0) throw new DomainRuleViolation("escalation.steps_required", "An escalation rule needs at least one step.");
        if (steps.Count > MaxSteps) throw new DomainRuleViolation("escalation.too_many_steps", $"An escalation rule has at most {MaxSteps} steps.");
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (step.Number != i + 1) throw new DomainRuleViolation("escalation.step_numbers", "Steps are numbered 1, 2, 3... in ladder order.");
            if (step.Actions.Count is 0 or > MaxActionsPerStep)
                throw new DomainRuleViolation("escalation.actions_required", $"Step {step.Number} needs 1 to {MaxActionsPerStep} actions.");
            switch (step.When)
            {
                case EscalationCondition.SlaWarning { Percent: < 1 or > 100 }:
                    throw new DomainRuleViolation("escalation.percent", $"Step {step.Number}: a warning percent is between 1 and 100.");
                case EscalationCondition.Unassigned u when u.For <= Duration.Zero:
                    throw new DomainRuleViolation("escalation.duration", $"Step {step.Number}: an unassigned span must be positive.");
            }
        }
        Position = position;
        IsActive = isActive;
        Filters = filters;
        Steps = steps.ToList();
        Version++;
        UpdatedAt = now;
    }

    public static string NormaliseName(string name)
    {
        var n = name.Trim().ToLowerInvariant();
        if (n.Length is 0 or > 100 || !n.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            throw new DomainRuleViolation("escalation.name", $"'{name}' is not a valid rule name (1-100 of a-z, 0-9, - _ .).");
        return n;
    }
}
