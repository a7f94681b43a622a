using HelpDesk.Application.Sla.Format;
using HelpDesk.Application.Common;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Escalation;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Application.Escalation;

/// <summary>
/// The JSON shape of a rule (docs/escalation.md): the body of <c>PUT /api/v1/escalation-rules/{name}</c>, its answer,
/// and how rules are stored, so the database, the API and the docs speak one vocabulary.
/// </summary>
public sealed record EscalationRuleBody(int? Position, bool? Active, EscalationFiltersBody? Filters, List<EscalationStepBody>? Steps);

public sealed record EscalationFiltersBody(List<string>? Priorities, List<string>? Teams, List<string>? Tags);

public sealed record EscalationStepBody(EscalationConditionBody? When, List<EscalationActionBody>? Actions);

/// <summary><c>type</c>: <c>sla_warning</c> (metric, percent), <c>sla_breached</c> (metric), <c>unassigned_for</c> (duration).</summary>
public sealed record EscalationConditionBody(string? Type, string? Metric = null, int? Percent = null, string? Duration = null);

/// <summary>
/// <c>type</c>: <c>notify</c> (target assignee|agent|lead|team, agent), <c>reassign</c> (agent or team),
/// <c>raise_priority</c> (optional priority), <c>add_tag</c> (tag), <c>add_note</c> (text).
/// </summary>
public sealed record EscalationActionBody(string? Type, string? Target = null, string? Agent = null, string? Team = null,
    string? Priority = null, string? Tag = null, string? Text = null);

/// <summary>Checks and converts between <see cref="EscalationRuleBody"/> and the domain model.</summary>
public static class EscalationRuleShape
{
    public const string AnyMetric = "any";
    public const int MaxNoteLength = 4000;

    private static readonly Dictionary<string, NotifyTarget> Targets = new(StringComparer.OrdinalIgnoreCase)
    {
        ["assignee"] = NotifyTarget.Assignee, ["agent"] = NotifyTarget.Agent, ["lead"] = NotifyTarget.Lead, ["team"] = NotifyTarget.Team,
    };

    private static readonly string MetricNames = Vocabulary.ListOf(Enum.GetValues<SlaMetric>().Select(EscalationClock.Of).Append(AnyMetric));

    /// <summary>Every problem of a body, each with the JSON path of the field it is about.</summary>
    public static IEnumerable<(string Path, string Message)> Problems(EscalationRuleBody body)
    {
        foreach (var (p, i) in (body.Filters?.Priorities ?? []).Select((p, i) => (p, i)))
            if (!Vocabulary.TryPriority(p, out _)) yield return ($"filters.priorities[{i}]", $"must be one of {Vocabulary.ListOf(Vocabulary.PriorityNames)}.");
        foreach (var (t, i) in (body.Filters?.Tags ?? []).Select((t, i) => (t, i)))
            if (!Ticket.IsTag(t)) yield return ($"filters.tags[{i}]", "must be a tag (1-50 of a-z, 0-9, - _ . :).");
        foreach (var (t, i) in (body.Filters?.Teams ?? []).Select((t, i) => (t, i)))
            if (string.IsNullOrWhiteSpace(t)) yield return ($"filters.teams[{i}]", "must be a team name.");
        if (body.Steps is not { Count: > 0 })
        {
            yield return ("steps", "a rule needs at least one step.");
            yield break;
        }
        if (body.Steps.Count > EscalationRule.MaxSteps) yield return ("steps", $"a rule has at most {EscalationRule.MaxSteps} steps.");
        for (var s = 0; s < body.Steps.Count; s++)
        {
            var path = $"steps[{s}]";
            var step = body.Steps[s];
            if (step?.When is null) yield return ($"{path}.when", "is required.");
            else foreach (var problem in ConditionProblems(step.When, $"{path}.when")) yield return problem;
            if (step?.Actions is not { Count: > 0 } actions || actions.Count > EscalationRule.MaxActionsPerStep)
            {
                yield return ($"{path}.actions", $"a step needs 1 to {EscalationRule.MaxActionsPerStep} actions.");
                continue;
            }
            for (var a = 0; a < actions.Count; a++)
                foreach (var problem in ActionProblems(actions[a], $"{path}.actions[{a}]")) yield return problem;
        }
    }

    private static IEnumerable<(string, string)> ConditionProblems(EscalationConditionBody when, string path)
    {
        switch (when.Type)
        {
            case "sla_warning":
                if (!TryMetric(when.Metric, out _)) yield return ($"{path}.metric", $"must be one of {MetricNames}.");
                if (when.Percent is not (>= 1 and <= 100)) yield return ($"{path}.percent", "must be a whole number from 1 to 100.");
                break;
            case "sla_breached":
                if (!TryMetric(when.Metric, out _)) yield return ($"{path}.metric", $"must be one of {MetricNames}.");
                break;
            case "unassigned_for":
                if (!TryDuration(when.Duration, out _)) yield return ($"{path}.duration", "must be a positive ISO-8601 duration in hours, minutes and seconds (e.g. PT2H).");
                break;
            default:
                yield return ($"{path}.type", "must be one of sla_warning, sla_breached, unassigned_for.");
                break;
        }
    }

    private static IEnumerable<(string, string)> ActionProblems(EscalationActionBody? action, string path)
    {
        switch (action?.Type)
        {
            case "notify":
                if (action.Target is null || !Targets.TryGetValue(action.Target, out var target))
                    yield return ($"{path}.target", "must be one of assignee, agent, lead, team.");
                else if (target == NotifyTarget.Agent && !EmailAddress.IsValid(action.Agent))
                    yield return ($"{path}.agent", "must be an agent's e-mail address.");
                break;
            case "reassign":
                if ((action.Agent is null) == (action.Team is null)) yield return (path, "a reassign action names either an agent or a team.");
                else if (action.Agent is not null && !EmailAddress.IsValid(action.Agent)) yield return ($"{path}.agent", "must be an agent's e-mail address.");
                else if (action.Team is not null && string.IsNullOrWhiteSpace(action.Team)) yield return ($"{path}.team", "must be a team name.");
                break;
            case "raise_priority":
                if (action.Priority is not null && !Vocabulary.TryPriority(action.Priority, out _))
                    yield return ($"{path}.priority", $"must be one of {Vocabulary.ListOf(Vocabulary.PriorityNames)} (or absent for one step up).");
                break;
            case "add_tag":
                if (!Ticket.IsTag(action.Tag)) yield return ($"{path}.tag", "must be a tag (1-50 of a-z, 0-9, - _ . :).");
                break;
            case "add_note":
                if (string.IsNullOrWhiteSpace(action.Text) || action.Text.Length > MaxNoteLength)
                    yield return ($"{path}.text", $"must be 1 to {MaxNoteLength} characters.");
                break;
            default:
                yield return ($"{path}.type", "must be one of notify, reassign, raise_priority, add_tag, add_note.");
                break;
        }
    }

    /// <summary>Converts a body that has no <see cref="Problems"/>.</summary>
    public static (EscalationFilters Filters, IReadOnlyList<EscalationStep> Steps) ToDomain(EscalationRuleBody body) =>
        (ToFilters(body.Filters), ToSteps(body.Steps ?? []));

    public static EscalationFilters ToFilters(EscalationFiltersBody? f) => f is null ? EscalationFilters.Any : new EscalationFilters(
        (f.Priorities ?? []).Select(Vocabulary.ParsePriority).ToHashSet(),
        (f.Teams ?? []).Select(t => t.Trim().ToLowerInvariant()).ToHashSet(StringComparer.OrdinalIgnoreCase),
        (f.Tags ?? []).Select(Ticket.NormaliseTag).ToHashSet(StringComparer.OrdinalIgnoreCase));

    public static IReadOnlyList<EscalationStep> ToSteps(List<EscalationStepBody> steps) =>
        steps.Select((s, i) => new EscalationStep(i + 1, ToCondition(s.When!), s.Actions!.Select(ToAction).ToList())).ToList();

    private static EscalationCondition ToCondition(EscalationConditionBody c) => c.Type switch
    {
        "sla_warning" => new EscalationCondition.SlaWarning(Metric(c.Metric), c.Percent!.Value),
        "sla_breached" => new EscalationCondition.SlaBreached(Metric(c.Metric)),
        "unassigned_for" => new EscalationCondition.Unassigned(TryDuration(c.Duration, out var d) ? d : throw new FormatException(c.Duration)),
        _ => throw new FormatException($"unknown condition '{c.Type}'"),
    };

    private static EscalationAction ToAction(EscalationActionBody a) => a.Type switch
    {
        "notify" => new EscalationAction.Notify(Targets[a.Target!], a.Agent is null ? null : EmailAddress.Normalise(a.Agent)),
        "reassign" => new EscalationAction.Reassign(a.Agent is null ? null : EmailAddress.Normalise(a.Agent), a.Team?.Trim().ToLowerInvariant()),
        "raise_priority" => new EscalationAction.RaisePriority(a.Priority is null ? null : Vocabulary.ParsePriority(a.Priority)),
        "add_tag" => new EscalationAction.AddTag(Ticket.NormaliseTag(a.Tag!)),
        "add_note" => new EscalationAction.AddNote(a.Text!.Trim()),
        _ => throw new FormatException($"unknown action '{a.Type}'"),
    };

    public static EscalationFiltersBody From(EscalationFilters f) => new(
        f.Priorities.Order().Select(Vocabulary.Name).ToList(), f.Teams.Order().ToList(), f.Tags.Order().ToList());

    public static List<EscalationStepBody> From(IReadOnlyList<EscalationStep> steps) =>
        steps.Select(s => new EscalationStepBody(From(s.When), s.Actions.Select(From).ToList())).ToList();

    private static EscalationConditionBody From(EscalationCondition c) => c switch
    {
        EscalationCondition.SlaWarning w => new("sla_warning", MetricName(w.Metric), w.Percent),
        EscalationCondition.SlaBreached b => new("sla_breached", MetricName(b.Metric)),
        EscalationCondition.Unassigned u => new("unassigned_for", Duration: IsoDuration.Format(u.For)),
        _ => throw new ArgumentOutOfRangeException(nameof(c)),
    };

    private static EscalationActionBody From(EscalationAction a) => a switch
    {
        EscalationAction.Notify n => new("notify", Target: Targets.First(kv => kv.Value == n.Target).Key, Agent: n.AgentEmail),
        EscalationAction.Reassign r => new("reassign", Agent: r.AgentEmail, Team: r.TeamName),
        EscalationAction.RaisePriority p => new("raise_priority", Priority: p.To is { } to ? Vocabulary.Name(to) : null),
        EscalationAction.AddTag t => new("add_tag", Tag: t.Tag),
        EscalationAction.AddNote n => new("add_note", Text: n.Text),
        _ => throw new ArgumentOutOfRangeException(nameof(a)),
    };

    /// <summary>"firstResponse", "nextReply", "resolution" or "any" (null).</summary>
    public static string MetricName(SlaMetric? metric) => metric is { } m ? EscalationClock.Of(m) : AnyMetric;

    private static bool TryMetric(string? name, out SlaMetric? metric)
    {
        metric = null;
        if (string.Equals(name, AnyMetric, StringComparison.OrdinalIgnoreCase)) return true;
        foreach (var m in Enum.GetValues<SlaMetric>())
            if (string.Equals(EscalationClock.Of(m), name, StringComparison.OrdinalIgnoreCase)) { metric = m; return true; }
        return false;
    }

    private static SlaMetric? Metric(string? name) => TryMetric(name, out var m) ? m : throw new FormatException($"unknown metric '{name}'");


    /// <summary>ISO-8601 with hours, minutes and seconds only (<c>PT2H</c>, <c>PT90M</c>): business time has no "days".</summary>
    private static bool TryDuration(string? text, out Duration duration) =>
        IsoDuration.TryParse(text?.Trim(), out duration, timeOnly: true) && duration > Duration.Zero;
}
