using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Domain.Sla;

/// <summary>Targets of one priority; an absent target means the metric has no cycles for that priority.</summary>
public sealed record SlaTargets(Duration? FirstResponse, Duration? NextReply, Duration? Resolution)
{
    public Duration? For(SlaMetric metric) => metric switch
    {
        SlaMetric.FirstResponse => FirstResponse,
        SlaMetric.NextReply => NextReply,
        SlaMetric.Resolution => Resolution,
        _ => throw new ArgumentOutOfRangeException(nameof(metric)),
    };
}

/// <summary>
/// What a policy version says the engine must do: targets per priority, warning thresholds (percent of target,
/// ascending) and the statuses that pause the resolution clock.
/// </summary>
public sealed record SlaPolicyTerms(
    IReadOnlyDictionary<Priority, SlaTargets> Targets,
    IReadOnlyList<int> WarnAtPercent,
    IReadOnlySet<TicketStatus> PauseOn)
{
    public static readonly IReadOnlyList<int> DefaultWarnAtPercent = [75, 90];
    public static readonly IReadOnlySet<TicketStatus> DefaultPauseOn = new HashSet<TicketStatus> { TicketStatus.Pending, TicketStatus.OnHold };

    public Duration? TargetFor(Priority priority, SlaMetric metric) =>
        Targets.TryGetValue(priority, out var t) ? t.For(metric) : null;
}

/// <summary>The calendar and policy version in force, with the version numbers the ledger records.</summary>
public sealed record SlaTerms(BusinessCalendar Calendar, SlaPolicyTerms Policy, string PolicyName = "", int PolicyVersion = 0, string CalendarName = "", int CalendarVersion = 0);
