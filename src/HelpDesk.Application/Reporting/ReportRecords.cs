using HelpDesk.Domain.Teams;
using System.Text.Json;
using HelpDesk.Domain.Reporting;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Application.Reporting;

/// <summary>
/// The reporting read model of one ticket (ADR 0007): what metrics, scorecards, the breach review and the CSV export
/// read, so a lead's view over a million tickets is an indexed query instead of a replay of every ledger. Written in the
/// same unit of work as every ticket change (<see cref="ReportProjector"/>); never edited by hand.
/// </summary>
public sealed class ReportTicket : ITeamOwned
{
    public Guid TicketId { get; set; }
    public int Number { get; set; }
    public Guid TeamId { get; set; }
    public Guid? AssigneeId { get; set; }
    public Priority Priority { get; set; }
    public string Channel { get; set; } = "";
    public TicketStatus Status { get; set; }
    public string? SlaPolicyName { get; set; }
    public Instant CreatedAt { get; set; }
    public Instant? FirstResponseAt { get; set; }
    /// <summary>The agent who sent the first public reply: first responses are credited to them, not to a later assignee.</summary>
    public Guid? FirstResponderId { get; set; }
    /// <summary>The final solve (null while open; a reopen clears it).</summary>
    public Instant? SolvedAt { get; set; }
    /// <summary>Who held the ticket when it was (finally) solved: the agent credited with the solve.</summary>
    public Guid? SolvedById { get; set; }
    public int PublicReplies { get; set; }
    public bool Reopened { get; set; }
    public bool FirstContactResolution { get; set; }
    public long? FirstResponseBusinessMs { get; set; }
    public long? FirstResponseCalendarMs { get; set; }
    public long? ResolutionBusinessMs { get; set; }
    public long? ResolutionCalendarMs { get; set; }
    public int Breaches { get; set; }
    public List<ReportCycle> Cycles { get; set; } = [];
}

/// <summary>One SLA cycle as of the ticket's last change (stopped cycles never change; a breach is projected when it fires).</summary>
public sealed class ReportCycle : ITeamOwned
{
    public Guid TicketId { get; set; }
    public SlaMetric Metric { get; set; }
    public int Cycle { get; set; }
    public int TicketNumber { get; set; }
    public Guid TeamId { get; set; }
    public Guid? AssigneeId { get; set; }
    public Priority Priority { get; set; }
    public string Channel { get; set; } = "";
    public CycleState State { get; set; }
    public long TargetMs { get; set; }
    public Instant StartedAt { get; set; }
    public Instant? StoppedAt { get; set; }
    public Instant? DueAt { get; set; }
    public Instant? BreachedAt { get; set; }
    public long CountedMs { get; set; }
    /// <summary>Counting plus outside-hours time: the cycle's wall-clock time without pauses.</summary>
    public long CalendarMs { get; set; }
    public long OutsideHoursMs { get; set; }
    public long PausedMs { get; set; }
    public long StoppedMs { get; set; }
    /// <summary>The holder a breach is attributed to (largest share of the counting time that consumed the target).</summary>
    public Guid? AttributedTeamId { get; set; }
    public Guid? AttributedAgentId { get; set; }
    /// <summary>For a breached cycle: the segment timeline and every holder's share, as JSON (<see cref="BreachExplanation"/>).</summary>
    public string? Explanation { get; set; }
}

/// <summary>Why a cycle breached: its segments and who held the ticket during the counting time that consumed the target.</summary>
public sealed record BreachExplanation(IReadOnlyList<BreachExplanation.Segment> Segments, IReadOnlyList<BreachExplanation.Share> Shares)
{
    public sealed record Segment(Instant From, Instant To, SegmentKind Kind);

    public sealed record Share(Guid TeamId, Guid? AgentId, long CountedMs);

    private sealed record StoredShare(Guid T, Guid? A, long Ms);

    private sealed record Stored(long[][] S, StoredShare[] H);

    public static BreachExplanation Of(SlaCycle cycle, IReadOnlyList<AttributionShare> shares) =>
        new(cycle.Segments.Select(s => new Segment(s.From, s.To, s.Kind)).ToList(),
            shares.Select(s => new Share(s.Holder.TeamId, s.Holder.AgentId, (long)s.Counted.TotalMilliseconds)).ToList());

    /// <summary>Compact: segments as [fromMs, toMs, kind] triples.</summary>
    public string ToJson() => JsonSerializer.Serialize(new Stored(
        Segments.Select(s => new[] { s.From.ToUnixTimeMilliseconds(), s.To.ToUnixTimeMilliseconds(), (long)s.Kind }).ToArray(),
        Shares.Select(s => new StoredShare(s.TeamId, s.AgentId, s.CountedMs)).ToArray()));

    public static BreachExplanation Parse(string? json)
    {
        if (json is null) return new([], []);
        var stored = JsonSerializer.Deserialize<Stored>(json)!;
        return new(stored.S.Select(s => new Segment(Instant.FromUnixTimeMilliseconds(s[0]), Instant.FromUnixTimeMilliseconds(s[1]), (SegmentKind)s[2])).ToList(),
            stored.H.Select(h => new Share(h.T, h.A, h.Ms)).ToList());
    }
}
