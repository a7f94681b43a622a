using HelpDesk.Application.Common;
using HelpDesk.Domain.Surveys;
using System.Data.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Reporting;
using HelpDesk.Domain.Sla;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Reporting;

/// <summary>The filtered reporting rows the metrics and scorecards read (docs/reporting.md "Metrics and scorecards").</summary>
public static class ReportQueries
{
    /// <summary>Which agent an agent filter means: the ticket's assignee, its solver, or the author of its first response.</summary>
    public enum AgentColumn { Assignee, Solver, FirstResponder }

    /// <summary>
    /// Report tickets inside the filter. The agent filter means <paramref name="by"/>: the agent who sent the first
    /// public reply for first responses, the agent credited with the solve for solves, the current assignee otherwise.
    /// </summary>
    public static IQueryable<ReportTicket> Tickets(HelpDeskDbContext db, ReportFilter filter, AgentColumn by)
    {
        var q = db.Set<ReportTicket>().AsNoTracking().VisibleTo(filter.TeamIds);
        if (filter.AgentId is { } agent)
            q = by switch
            {
                AgentColumn.Solver => q.Where(r => r.SolvedById == agent),
                AgentColumn.FirstResponder => q.Where(r => r.FirstResponderId == agent),
                _ => q.Where(r => r.AssigneeId == agent),
            };
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
        join r in Tickets(db, filter, AgentColumn.Solver) on s.TicketId equals r.TicketId
        where s.AnsweredAt >= start && s.AnsweredAt < end
        select new SurveyAnswer(r.SolvedById, r.TeamId, s.Rating, s.Nps, s.Ces);

    /// <summary>
    /// The answers of <see cref="SurveyAnswers"/> without who they credit (rating, NPS, CES in that column order), for a
    /// lean read (<see cref="ReadAsync{T}"/>) of the metrics' survey scores.
    /// </summary>
    public static IQueryable<SurveyRating> SurveyRatings(HelpDeskDbContext db, ReportFilter filter, Instant start, Instant end) =>
        from s in db.Set<Survey>().AsNoTracking()
        join r in Tickets(db, filter, AgentColumn.Solver) on s.TicketId equals r.TicketId
        where s.AnsweredAt >= start && s.AnsweredAt < end
        select new SurveyRating { Rating = s.Rating, Nps = s.Nps, Ces = s.Ces };

    /// <summary>Report cycles inside the filter (team, assignee, priority and channel are the ticket's current ones).</summary>
    public static IQueryable<ReportCycle> Cycles(HelpDeskDbContext db, ReportFilter filter)
    {
        var q = db.Set<ReportCycle>().AsNoTracking().VisibleTo(filter.TeamIds);
        if (filter.AgentId is { } agent) q = q.Where(c => c.AssigneeId == agent);
        if (filter.Priority is { } priority) q = q.Where(c => c.Priority == priority);
        if (filter.Channel is { } channel) q = q.Where(c => c.Channel == channel);
        return q;
    }

    /// <summary>
    /// Runs <paramref name="query"/> (the SQL EF generates for it, with its parameters) and hands each row to
    /// <paramref name="row"/> as a plain data reader, the columns in the order of the projection: for the tens of
    /// thousands of duration values a period's statistics need, EF's per-row materialisation costs several times the read.
    /// Provider-neutral: only ordinal getters of the projected columns.
    /// </summary>
    /// <summary>
    /// Runs a read on a context (and connection) of its own, so the independent reads of one report run side by side:
    /// SQLite's WAL readers do not block each other, SQL Server serves connections in parallel. On the thread pool,
    /// because Microsoft.Data.Sqlite completes "async" reads synchronously.
    /// </summary>
    public static Task<T> OnOwnContextAsync<T>(DbContextOptions<HelpDeskDbContext> options, Func<HelpDeskDbContext, Task<T>> read) =>
        Task.Run(async () =>
        {
            await using var db = new HelpDeskDbContext(options);
            return await read(db);
        });

    public static async Task ReadAsync<T>(HelpDeskDbContext db, IQueryable<T> query, Action<DbDataReader> row, CancellationToken ct)
    {
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = query.CreateDbCommand();
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) row(reader);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>
    /// Cycles of the <paramref name="metrics"/> stopped in each of the consecutive <paramref name="weeks"/> (met or
    /// breached), counted by the database: per clock and week, the stopped and the met cycles are each a count over one
    /// range of the <c>(Metric, StoppedAt, State, TeamId, …)</c> index, so nothing but counts leaves the database and
    /// nothing is sorted (a GROUP BY over week, clock and state made SQLite sort every stopped cycle of the period).
    /// </summary>
    public static async Task<StoppedCycles> StoppedCyclesByWeekAsync(HelpDeskDbContext db, ReportFilter filter,
        IReadOnlyList<(Instant Start, Instant End)> weeks, IEnumerable<SlaMetric> metrics, CancellationToken ct)
    {
        var counts = new StoppedCycles(weeks.Count);
        foreach (var metric in metrics)
            for (var week = 0; week < weeks.Count; week++)
            {
                var (from, until) = (weeks[week].Start, weeks[week].End);
                var stopped = Cycles(db, filter).Where(c => c.Metric == metric && c.StoppedAt >= from && c.StoppedAt < until);
                counts.Add(metric, week, await stopped.CountAsync(ct), await stopped.CountAsync(c => c.State == CycleState.Met, ct));
            }
        return counts;
    }
}

/// <summary>One answered survey: who it credits, and its answers (each may be absent).</summary>
public sealed record SurveyAnswer(Guid? AgentId, Guid TeamId, int? Rating, int? Nps, int? Ces);

/// <summary>One answered survey's answers (each may be absent).</summary>
public sealed class SurveyRating
{
    public int? Rating { get; init; }
    public int? Nps { get; init; }
    public int? Ces { get; init; }
}

/// <summary>Met and stopped cycle counts per clock and week.</summary>
public sealed class StoppedCycles(int weeks)
{
    private readonly int[,] _met = new int[3, weeks];
    private readonly int[,] _stopped = new int[3, weeks];

    public void Add(SlaMetric metric, int week, int stopped, int met)
    {
        _stopped[(int)metric, week] += stopped;
        _met[(int)metric, week] += met;
    }

    public int Met(SlaMetric metric, int week) => _met[(int)metric, week];
    public int Stopped(SlaMetric metric, int week) => _stopped[(int)metric, week];
    public int Met(SlaMetric metric) => Enumerable.Range(0, _met.GetLength(1)).Sum(w => _met[(int)metric, w]);
    public int Stopped(SlaMetric metric) => Enumerable.Range(0, _stopped.GetLength(1)).Sum(w => _stopped[(int)metric, w]);
}

