using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Domain.Tests.Sla;

/// <summary>Small builders for SLA terms, events and expected cycles in tests.</summary>
internal static class Sla
{
    public static Duration H(double hours) => Duration.FromMinutes((long)Math.Round(hours * 60));

    public static Duration? D(string? iso) => iso is null ? null : PeriodPattern.NormalizingIso.Parse(iso).Value.ToDuration();

    public static SlaTargets Targets(string? firstResponse, string? nextReply, string? resolution) =>
        new(D(firstResponse), D(nextReply), D(resolution));

    /// <summary>Terms with the defaults of sla.md: warnings at 75 and 90 %, pending and on_hold pause resolution.</summary>
    public static SlaTerms Terms(BusinessCalendar calendar, Dictionary<Priority, SlaTargets> targets, int[]? warnAt = null, TicketStatus[]? pauseOn = null) =>
        new(calendar, new SlaPolicyTerms(
            targets,
            warnAt ?? [.. SlaPolicyTerms.DefaultWarnAtPercent],
            pauseOn is null ? SlaPolicyTerms.DefaultPauseOn : new HashSet<TicketStatus>(pauseOn)));

    /// <summary>Every priority gets the same targets.</summary>
    public static SlaTerms Terms(BusinessCalendar calendar, string? firstResponse, string? nextReply, string? resolution, int[]? warnAt = null) =>
        Terms(calendar, Enum.GetValues<Priority>().ToDictionary(p => p, _ => Targets(firstResponse, nextReply, resolution)), warnAt);

    public static SlaEvent.Created Created(string at, Priority priority = Priority.Normal) => new(Cal.Utc(at), priority);
    public static SlaEvent.AgentReply Agent(string at) => new(Cal.Utc(at));
    public static SlaEvent.InternalNote Note(string at) => new(Cal.Utc(at));
    public static SlaEvent.CustomerReply Customer(string at) => new(Cal.Utc(at));
    public static SlaEvent.AutoReply Auto(string at) => new(Cal.Utc(at));
    public static SlaEvent.StatusChanged Status(string at, TicketStatus status) => new(Cal.Utc(at), status);
    public static SlaEvent.PriorityChanged Prio(string at, Priority priority) => new(Cal.Utc(at), priority);
    public static SlaEvent.TermsChanged NewTerms(string at, SlaTerms terms) => new(Cal.Utc(at), terms);

    public static SlaSegment Seg(string from, string to, SegmentKind kind) => new(Cal.Utc(from), Cal.Utc(to), kind);

    public static SlaWarning Warn(int percent, string at) => new(percent, Cal.Utc(at));

    public static Instant? At(string? iso) => iso is null ? null : Cal.Utc(iso);

    public static SlaCycle Single(this SlaReport report, SlaMetric metric) => report.Clocks.Single(c => c.Metric == metric);
}
