using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Domain.Reporting;

/// <summary>
/// What a ticket contributes to the service metrics of metrics.md, derived from its history and SLA report.
/// Business durations come from the SLA clocks (absent without a policy); calendar durations are the same spans in
/// wall-clock time: a clock's counting and outside-hours segments, so paused and stopped time is excluded from both.
/// </summary>
public sealed record TicketOutcome(
    Instant? FirstResponseAt,
    Guid? FirstResponderId,
    Instant? SolvedAt,
    int PublicReplies,
    bool Reopened,
    Duration? FirstResponseBusiness,
    Duration? FirstResponseCalendar,
    Duration? ResolutionBusiness,
    Duration? ResolutionCalendar)
{
    /// <summary>Solved (finally) with exactly one public agent reply and never reopened.</summary>
    public bool FirstContactResolution => SolvedAt is not null && PublicReplies == 1 && !Reopened;

    public static TicketOutcome Of(Ticket ticket, SlaReport report)
    {
        Instant? firstResponseAt = null, solvedAt = null;
        Guid? firstResponder = null;
        var replies = 0;
        var reopened = false;
        foreach (var h in ticket.History.OrderBy(h => h.Sequence))
        {
            switch (h.Kind)
            {
                case TicketChangeKind.PublicAgentReply:
                    replies++;
                    if (firstResponseAt is null) (firstResponseAt, firstResponder) = (h.At, h.ActorId);
                    break;
                case TicketChangeKind.StatusChanged:
                    var wasDone = IsDone(h.From);
                    var isDone = IsDone(h.To);
                    if (!wasDone && isDone) solvedAt = h.At;
                    else if (wasDone && !isDone) { reopened = true; solvedAt = null; }
                    break;
            }
        }

        var firstResponse = report.Clocks.FirstOrDefault(c => c.Metric == SlaMetric.FirstResponse && c.Cycle == 1);
        var resolution = report.Clocks.FirstOrDefault(c => c.Metric == SlaMetric.Resolution);
        Duration? frtBusiness = null, frtCalendar = null, resBusiness = null, resCalendar = null;
        if (firstResponseAt is { } fr)
        {
            frtBusiness = firstResponse?.StoppedAt is not null ? firstResponse.Counted : null;
            frtCalendar = firstResponse?.StoppedAt is not null ? Calendar(firstResponse) : fr - ticket.CreatedAt;
        }
        if (solvedAt is { } solved)
        {
            resBusiness = resolution?.StoppedAt is not null ? resolution.Counted : null;
            resCalendar = resolution?.StoppedAt is not null ? Calendar(resolution) : ActiveTime(ticket, solved);
        }
        return new TicketOutcome(firstResponseAt, firstResponder, solvedAt, replies, reopened, frtBusiness, frtCalendar, resBusiness, resCalendar);
    }

    /// <summary>Wall-clock time of a cycle's counting and outside-hours segments.</summary>
    public static Duration Calendar(SlaCycle cycle) =>
        cycle.Segments.Where(s => s.Kind is SegmentKind.Counting or SegmentKind.OutsideHours)
            .Aggregate(Duration.Zero, (sum, s) => sum + (s.To - s.From));

    /// <summary>Without a policy: creation → solve minus time in the default pause statuses and between solve and reopen.</summary>
    private static Duration ActiveTime(Ticket ticket, Instant solvedAt)
    {
        var total = Duration.Zero;
        var since = ticket.CreatedAt;
        var active = true;
        foreach (var h in ticket.History.Where(h => h.Kind == TicketChangeKind.StatusChanged && h.At <= solvedAt).OrderBy(h => h.Sequence))
        {
            if (active) total += h.At - since;
            since = h.At;
            active = !IsDone(h.To) && !(Enum.TryParse<TicketStatus>(h.To, out var s) && SlaPolicyTerms.DefaultPauseOn.Contains(s));
        }
        return total;
    }

    private static bool IsDone(string? status) => Enum.TryParse<TicketStatus>(status, out var s) && !s.IsOpen();
}
