using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Application.Sla.Format;

/// <summary>
/// The one reading of a policy's targets (sla.md "Policies"): per priority, <c>firstResponse</c>, <c>nextReply</c> and
/// <c>resolution</c> as ISO-8601 durations of fixed length (<see cref="IsoDuration"/>), each optional. The API and the
/// simulator both read targets here; they differ only in whether a zero target is allowed (the simulator explores
/// what-ifs, a configured policy must give agents some time). The statuses a policy pauses on follow one rule for both.
/// </summary>
public static class PolicyTermsFormat
{
    /// <summary>Whether a policy may pause its clocks on <paramref name="status"/>: any open status; solved and closed stop the clocks, never pause them.</summary>
    public static bool CanPauseOn(TicketStatus status) => status is not (TicketStatus.Solved or TicketStatus.Closed);

    /// <summary>Reads one priority's targets; problems are added to <paramref name="errors"/> by metric name (<c>firstResponse</c>).</summary>
    public static SlaTargets Targets(string? firstResponse, string? nextReply, string? resolution, bool allowZero, List<FieldError> errors) => new(
        Target(firstResponse, "firstResponse", allowZero, errors),
        Target(nextReply, "nextReply", allowZero, errors),
        Target(resolution, "resolution", allowZero, errors));

    private static Duration? Target(string? text, string field, bool allowZero, List<FieldError> errors)
    {
        if (text is null) return null;
        if (!IsoDuration.TryParse(text, out var duration))
            errors.Add(new(field, $"bad duration '{text}' (expected ISO-8601 like PT4H or P1DT2H)"));
        else if (duration < Duration.Zero)
            errors.Add(new(field, $"negative duration '{text}'"));
        else if (duration == Duration.Zero && !allowZero)
            errors.Add(new(field, $"zero duration '{text}' (a target must be positive)"));
        else
            return duration;
        return null;
    }
}
