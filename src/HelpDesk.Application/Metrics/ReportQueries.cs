using System.Linq.Expressions;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Reporting;
using HelpDesk.Domain.Escalation;
using HelpDesk.Domain.Sla;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Metrics;

/// <summary>The filtered reporting rows the metrics and scorecards read (docs/reporting.md "Metrics and scorecards").</summary>
public static class ReportQueries
{
    public static readonly IReadOnlyList<string> MetricNames = Enum.GetValues<SlaMetric>().Select(EscalationClock.Of).ToList();

    public static bool TryMetric(string? name, out SlaMetric metric)
    {
        foreach (var m in Enum.GetValues<SlaMetric>())
        {
            if (string.Equals(EscalationClock.Of(m), name?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                metric = m;
                return true;
            }
        }
        metric = default;
        return false;
    }

    public static SlaMetric ParseMetric(string name) => TryMetric(name, out var m) ? m : throw new ArgumentException($"unknown metric '{name}'");

    /// <summary>
    /// Report tickets inside the filter. The agent filter means the current assignee (<paramref name="byAssignee"/>) for
    /// what happens while a ticket is worked (created, first response), and the agent credited with the solve otherwise.
    /// </summary>
    public static IQueryable<ReportTicket> Tickets(HelpDeskDbContext db, ReportFilter filter, bool byAssignee)
    {
        var q = db.Set<ReportTicket>().AsNoTracking();
        if (filter.TeamIds is { Count: 1 }) { var team = filter.TeamIds[0]; q = q.Where(r => r.TeamId == team); }
        else if (filter.TeamIds is { } teams) q = q.Where(r => teams.Contains(r.TeamId));
        if (filter.AgentId is { } agent) q = byAssignee ? q.Where(r => r.AssigneeId == agent) : q.Where(r => r.SolvedById == agent);
        if (filter.Priority is { } priority) q = q.Where(r => r.Priority == priority);
        if (filter.Channel is { } channel) q = q.Where(r => r.Channel == channel);
        return q;
    }

    /// <summary>
    /// Survey answers given in [<paramref name="start"/>, <paramref name="end"/>) on tickets inside the filter, credited
    /// like the solve they rate (the agent filter means the agent credited with the solve).
    /// </summary>
    public static IQueryable<SurveyAnswer> SurveyAnswers(HelpDeskDbContext db, ReportFilter filter, Instant start, Instant end) =>
        from s in db.Set<Survey>().AsNoTracking()
        join r in Tickets(db, filter, byAssignee: false) on s.TicketId equals r.TicketId
        where s.AnsweredAt >= start && s.AnsweredAt < end
        select new SurveyAnswer(r.SolvedById, r.TeamId, s.Rating, s.Nps, s.Ces);

    /// <summary>Report cycles inside the filter (team, assignee, priority and channel are the ticket's current ones).</summary>
    public static IQueryable<ReportCycle> Cycles(HelpDeskDbContext db, ReportFilter filter)
    {
        var q = db.Set<ReportCycle>().AsNoTracking();
        if (filter.TeamIds is { Count: 1 }) { var team = filter.TeamIds[0]; q = q.Where(c => c.TeamId == team); }
        else if (filter.TeamIds is { } teams) q = q.Where(c => teams.Contains(c.TeamId));
        if (filter.AgentId is { } agent) q = q.Where(c => c.AssigneeId == agent);
        if (filter.Priority is { } priority) q = q.Where(c => c.Priority == priority);
        if (filter.Channel is { } channel) q = q.Where(c => c.Channel == channel);
        return q;
    }

    /// <summary>
    /// Cycles stopped in each of the consecutive <paramref name="weeks"/> (met or breached), counted by the database in
    /// one GROUP BY: the week is a CASE over the stop instant, so only the counts leave the database.
    /// </summary>
    public static async Task<StoppedCycles> StoppedCyclesByWeekAsync(HelpDeskDbContext db, ReportFilter filter,
        IReadOnlyList<(Instant Start, Instant End)> weeks, CancellationToken ct)
    {
        var start = weeks[0].Start;
        var end = weeks[^1].End;
        var rows = await Cycles(db, filter)
            .Where(c => c.StoppedAt >= start && c.StoppedAt < end)
            .Select(WeekOf(weeks))
            .GroupBy(c => new { c.Metric, c.State, c.Week })
            .Select(g => new { g.Key.Metric, g.Key.State, g.Key.Week, Count = g.Count() })
            .ToListAsync(ct);
        var counts = new StoppedCycles(weeks.Count);
        foreach (var r in rows) counts.Add(r.Metric, r.Week, r.State == CycleState.Met, r.Count);
        return counts;
    }

    /// <summary><c>c => new CycleWeek { Metric, State, Week = StoppedAt &lt; end0 ? 0 : StoppedAt &lt; end1 ? 1 : … }</c></summary>
    private static Expression<Func<ReportCycle, CycleWeek>> WeekOf(IReadOnlyList<(Instant Start, Instant End)> weeks)
    {
        var c = Expression.Parameter(typeof(ReportCycle), "c");
        var stoppedAt = Expression.Property(c, nameof(ReportCycle.StoppedAt));
        Expression week = Expression.Constant(weeks.Count - 1);
        for (var i = weeks.Count - 2; i >= 0; i--)
            week = Expression.Condition(Expression.LessThan(stoppedAt, Expression.Constant((Instant?)weeks[i].End, typeof(Instant?))),
                Expression.Constant(i), week);
        var body = Expression.MemberInit(Expression.New(typeof(CycleWeek)),
            Expression.Bind(typeof(CycleWeek).GetProperty(nameof(CycleWeek.Metric))!, Expression.Property(c, nameof(ReportCycle.Metric))),
            Expression.Bind(typeof(CycleWeek).GetProperty(nameof(CycleWeek.State))!, Expression.Property(c, nameof(ReportCycle.State))),
            Expression.Bind(typeof(CycleWeek).GetProperty(nameof(CycleWeek.Week))!, week));
        return Expression.Lambda<Func<ReportCycle, CycleWeek>>(body, c);
    }

    private sealed class CycleWeek
    {
        public SlaMetric Metric { get; init; }
        public CycleState State { get; init; }
        public int Week { get; init; }
    }
}

/// <summary>One answered survey: who it credits, and its answers (each may be absent).</summary>
public sealed record SurveyAnswer(Guid? AgentId, Guid TeamId, int? Rating, int? Nps, int? Ces);

/// <summary>Met and stopped cycle counts per clock and week.</summary>
public sealed class StoppedCycles(int weeks)
{
    private readonly int[,] _met = new int[3, weeks];
    private readonly int[,] _stopped = new int[3, weeks];

    public void Add(SlaMetric metric, int week, bool met, int count)
    {
        _stopped[(int)metric, week] += count;
        if (met) _met[(int)metric, week] += count;
    }

    public int Met(SlaMetric metric, int week) => _met[(int)metric, week];
    public int Stopped(SlaMetric metric, int week) => _stopped[(int)metric, week];
    public int Met(SlaMetric metric) => Enumerable.Range(0, _met.GetLength(1)).Sum(w => _met[(int)metric, w]);
    public int Stopped(SlaMetric metric) => Enumerable.Range(0, _stopped.GetLength(1)).Sum(w => _stopped[(int)metric, w]);
}
