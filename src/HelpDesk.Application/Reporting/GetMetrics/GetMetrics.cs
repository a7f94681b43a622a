using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Reporting;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Reporting.GetMetrics;

/// <summary>
/// The service metrics of metrics.md for a period (local dates in <see cref="Tz"/>) and filters, from the reporting read
/// model (docs/reporting.md "Metrics and scorecards" defines every figure). <see cref="Metric"/> limits the clock
/// sections and the weekly series to one clock.
/// </summary>
public sealed record GetMetrics(string? From, string? To, string? Team = null, string? Agent = null, string? Priority = null,
    string? Channel = null, string? Tz = null, string? Metric = null) : IQuery<MetricsDto>, IReportPeriodQuery;

public sealed record AttainmentDto(int Met, int Stopped, double? Rate)
{
    public static AttainmentDto Of(int met, int stopped) => new(met, stopped, Ratio.Of(met, stopped));
}

/// <summary>A clock's figures: <see cref="Count"/> measurements, their business and calendar statistics, and its attainment.</summary>
public sealed record TimeMetricDto(int Count, DurationStats Business, DurationStats Calendar, AttainmentDto Attainment);

public sealed record FcrDto(int Solved, int FirstContact, double? Rate);

public sealed record ResolutionRateDto(int Created, int Solved, double? Rate);

public sealed record TeamCountDto(Guid TeamId, string Team, int Count);

public sealed record PriorityCountsDto(int Urgent, int High, int Normal, int Low);

public sealed record SlaStateCountsDto(int Breached, int AtRisk, int OnTrack, int Paused, int NoSla);

public sealed record BacklogDto(int Total, IReadOnlyList<TeamCountDto> ByTeam, PriorityCountsDto ByPriority, SlaStateCountsDto BySlaState);

public sealed record WeeklyAttainmentDto(LocalDate WeekStart, AttainmentDto? FirstResponse, AttainmentDto? NextReply, AttainmentDto? Resolution);

/// <summary>First responses whose business time is below <see cref="UpToMs"/> (null: no upper bound) and at or above the previous bucket's.</summary>
public sealed record DistributionBucketDto(string Label, long? UpToMs, int Count);

public sealed record MetricsDto(
    LocalDate From,
    LocalDate To,
    string TimeZone,
    TimeMetricDto? FirstResponse,
    TimeMetricDto? NextReply,
    TimeMetricDto? Resolution,
    FcrDto FirstContactResolution,
    ResolutionRateDto ResolutionRate,
    BacklogDto Backlog,
    CsatScore Csat,
    NpsScore Nps,
    CesScore Ces,
    IReadOnlyList<WeeklyAttainmentDto> Weekly,
    IReadOnlyList<DistributionBucketDto> FrtDistribution);

public sealed class GetMetricsValidator : AbstractValidator<GetMetrics>
{
    public GetMetricsValidator()
    {
        Include(new ReportPeriodValidator());
        RuleFor(q => q.Priority).Must(p => p is null || Vocabulary.TryPriority(p, out _))
            .WithMessage($"'priority' must be one of {Vocabulary.ListOf(Vocabulary.PriorityNames)}.");
        RuleFor(q => q.Metric).Must(m => m is null || Vocabulary.TryMetric(m, out _))
            .WithMessage($"'metric' must be one of {Vocabulary.ListOf(Vocabulary.MetricNames)}.");
    }
}

public sealed class GetMetricsHandler(DbContextOptions<HelpDeskDbContext> options, ReportScope scope, IClock clock)
    : IQueryHandler<GetMetrics, MetricsDto>
{
    /// <summary>Upper bounds of the first-response distribution, in business time (a "day" is 24 hours of it).</summary>
    public static readonly IReadOnlyList<(string Label, long? UpToMs)> FrtBuckets =
    [
        ("< 1h", 3_600_000), ("1–4h", 4 * 3_600_000), ("4–8h", 8 * 3_600_000), ("8–24h", 24 * 3_600_000),
        ("1–3d", 72 * 3_600_000), ("> 3d", null),
    ];

    public async ValueTask<MetricsDto> Handle(GetMetrics query, CancellationToken ct)
    {
        var period = ReportPeriod.Of(query);
        var filter = await scope.ResolveAsync(query.Team, query.Agent, query.Priority, query.Channel, ct);
        SlaMetric? only = Vocabulary.TryMetric(query.Metric, out var metric) ? metric : null;
        var (start, end) = (period.Start, period.End);

        // Independent reads, each on a context (connection) of its own, run side by side; each is lean: only the
        // duration columns, straight off a data reader (ReportQueries.ReadAsync).
        var firstResponses = Parallel(async own =>
        {
            var (count, business, calendar) = (0, new List<long>(), new List<long>());
            await ReportQueries.ReadAsync(own, ReportQueries.Tickets(own, filter, ReportQueries.AgentColumn.FirstResponder)
                .Where(r => r.FirstResponseAt >= start && r.FirstResponseAt < end)
                .Select(r => new { r.FirstResponseBusinessMs, r.FirstResponseCalendarMs }), row =>
            {
                count++;
                if (!row.IsDBNull(0)) business.Add(row.GetInt64(0));
                if (!row.IsDBNull(1)) calendar.Add(row.GetInt64(1));
            }, ct);
            return (count, business, calendar);
        });
        var solves = Parallel(async own =>
        {
            var (count, fcr, business, calendar) = (0, 0, new List<long>(), new List<long>());
            await ReportQueries.ReadAsync(own, ReportQueries.Tickets(own, filter, ReportQueries.AgentColumn.Solver)
                .Where(r => r.SolvedAt >= start && r.SolvedAt < end)
                .Select(r => new { r.ResolutionBusinessMs, r.ResolutionCalendarMs, r.FirstContactResolution }), row =>
            {
                count++;
                if (!row.IsDBNull(0)) business.Add(row.GetInt64(0));
                if (!row.IsDBNull(1)) calendar.Add(row.GetInt64(1));
                if (row.GetBoolean(2)) fcr++;
            }, ct);
            return (count, fcr, business, calendar);
        });
        var createdCount = Parallel(own => ReportQueries.Tickets(own, filter, ReportQueries.AgentColumn.Assignee).CountAsync(r => r.CreatedAt >= start && r.CreatedAt < end, ct));
        var weeks = period.Weeks();
        var stopsByWeek = Parallel(own => ReportQueries.StoppedCyclesByWeekAsync(own, filter, weeks.Select(w => (w.Start, w.End)).ToList(),
            only is { } one ? [one] : Enum.GetValues<SlaMetric>(), ct));
        var nextReplies = Parallel(async own =>
        {
            var (count, business, calendar) = (0, new List<long>(), new List<long>());
            if (only is null or SlaMetric.NextReply)
                await ReportQueries.ReadAsync(own, ReportQueries.Cycles(own, filter)
                    .Where(c => c.Metric == SlaMetric.NextReply && c.StoppedAt >= start && c.StoppedAt < end)
                    .Select(c => new { c.CountedMs, c.CalendarMs }), row =>
                {
                    count++;
                    business.Add(row.GetInt64(0));
                    calendar.Add(row.GetInt64(1));
                }, ct);
            return (count, business, calendar);
        });
        var surveys = Parallel(async own =>
        {
            var (ratings, nps, ces) = (new List<int>(), new List<int>(), new List<int>());
            await ReportQueries.ReadAsync(own, ReportQueries.SurveyRatings(own, filter, start, end), row =>
            {
                if (!row.IsDBNull(0)) ratings.Add(row.GetInt32(0));
                if (!row.IsDBNull(1)) nps.Add(row.GetInt32(1));
                if (!row.IsDBNull(2)) ces.Add(row.GetInt32(2));
            }, ct);
            return (ratings, nps, ces);
        });
        var backlog = Parallel(own => BacklogAsync(own, filter, clock.GetCurrentInstant(), ct));

        // All awaited together: a failing read fails the query without leaving the others unobserved.
        await Task.WhenAll(firstResponses, solves, createdCount, stopsByWeek, nextReplies, surveys, backlog);
        var (frtCount, frtBusinessList, frtCalendar) = await firstResponses;
        var (solvedCount, fcr, resolutionBusiness, resolutionCalendar) = await solves;
        var created = await createdCount;
        var stops = await stopsByWeek;
        var (nextReplyCount, nextReplyBusiness, nextReplyCalendar) = await nextReplies;
        var (ratings, nps, ces) = await surveys;

        var frtBusiness = frtBusinessList.ToArray();

        TimeMetricDto? Clock(SlaMetric metric, int count, long[] business, List<long> calendar) =>
            only is not null && only != metric ? null
                : new TimeMetricDto(count, Statistics.Summarise(business), Statistics.Summarise(calendar.ToArray()),
                    AttainmentDto.Of(stops.Met(metric), stops.Stopped(metric)));

        return new MetricsDto(period.From, period.To, period.Zone.Id,
            Clock(SlaMetric.FirstResponse, frtCount, frtBusiness, frtCalendar),
            Clock(SlaMetric.NextReply, nextReplyCount, nextReplyBusiness.ToArray(), nextReplyCalendar),
            Clock(SlaMetric.Resolution, solvedCount, resolutionBusiness.ToArray(), resolutionCalendar),
            new FcrDto(solvedCount, fcr, Ratio.Of(fcr, solvedCount)),
            new ResolutionRateDto(created, solvedCount, Ratio.Of(solvedCount, created)),
            await backlog,
            CsatScore.Of(ratings),
            NpsScore.Of(nps),
            CesScore.Of(ces),
            weeks.Select((w, i) => new WeeklyAttainmentDto(w.Monday,
                Week(SlaMetric.FirstResponse, i), Week(SlaMetric.NextReply, i), Week(SlaMetric.Resolution, i))).ToList(),
            Distribution(frtBusiness));

        AttainmentDto? Week(SlaMetric metric, int week) =>
            only is not null && only != metric ? null : AttainmentDto.Of(stops.Met(metric, week), stops.Stopped(metric, week));

        Task<T> Parallel<T>(Func<HelpDeskDbContext, Task<T>> read) => ReportQueries.OnOwnContextAsync(options, read);
    }

    public static IReadOnlyList<DistributionBucketDto> Distribution(IEnumerable<long> businessMs)
    {
        var counts = new int[FrtBuckets.Count];
        foreach (var ms in businessMs)
        {
            var i = 0;
            while (FrtBuckets[i].UpToMs is { } upTo && ms >= upTo) i++;
            counts[i]++;
        }
        return FrtBuckets.Select((b, i) => new DistributionBucketDto(b.Label, b.UpToMs, counts[i])).ToList();
    }

    /// <summary>
    /// Open tickets now by team, priority and SLA state. One state per ticket, the first that applies: breached (a
    /// counting clock is past its due, or an open cycle is already breached), at risk (a warning has fired for a
    /// cycle that is still counting), on track (a clock is counting), paused (only paused clocks), no SLA.
    /// </summary>
    private static async Task<BacklogDto> BacklogAsync(HelpDeskDbContext db, ReportFilter filter, Instant now, CancellationToken ct)
    {
        // Every team named (even for an admin) and the open statuses as a list: seeks into the (TeamId, Status, SlaDueAt)
        // index for the open tickets only, instead of a walk over every ticket of the teams.
        var teams = filter.TeamIds ?? await db.Teams.AsNoTracking().Select(t => t.Id).ToListAsync(ct);
        var open = db.Tickets.AsNoTracking().Open().VisibleTo(teams);
        if (filter.AgentId is { } agent) open = open.Where(t => t.AssigneeId == agent);
        if (filter.Priority is { } priority) open = open.Where(t => t.Priority == priority);
        if (filter.Channel is { } channel) open = open.Where(t => t.Channel == channel);

        var cycles = db.Set<ReportCycle>();
        var rows = await open
            .Select(t => new
            {
                t.TeamId,
                t.Priority,
                State = (t.SlaDueAt != null && t.SlaDueAt < now)
                        || cycles.Any(c => c.TicketId == t.Id && c.StoppedAt == null && c.State == CycleState.Breached) ? 0
                    : db.SlaAlerts.Any(a => a.TicketId == t.Id && a.Percent < SlaAlertPoint.Breach
                        && cycles.Any(c => c.TicketId == t.Id && c.Metric == a.Metric && c.Cycle == a.Cycle && c.StoppedAt == null && c.State == CycleState.Running)) ? 1
                    : t.SlaDueAt != null ? 2
                    : cycles.Any(c => c.TicketId == t.Id && c.StoppedAt == null && c.State == CycleState.Paused) ? 3
                    : 4,
            })
            .GroupBy(t => new { t.TeamId, t.Priority, t.State })
            .Select(g => new { g.Key.TeamId, g.Key.Priority, g.Key.State, Count = g.Count() })
            .ToListAsync(ct);

        var teamIds = rows.Select(r => r.TeamId).Distinct().ToList();
        var names = await db.Teams.AsNoTracking().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.DisplayName, ct);
        int Priority(Priority p) => rows.Where(r => r.Priority == p).Sum(r => r.Count);
        int State(int s) => rows.Where(r => r.State == s).Sum(r => r.Count);
        return new BacklogDto(rows.Sum(r => r.Count),
            rows.GroupBy(r => r.TeamId).Select(g => new TeamCountDto(g.Key, names.GetValueOrDefault(g.Key, ""), g.Sum(r => r.Count)))
                .OrderByDescending(t => t.Count).ThenBy(t => t.Team, StringComparer.Ordinal).ToList(),
            new PriorityCountsDto(Priority(Domain.Tickets.Priority.Urgent), Priority(Domain.Tickets.Priority.High),
                Priority(Domain.Tickets.Priority.Normal), Priority(Domain.Tickets.Priority.Low)),
            new SlaStateCountsDto(State(0), State(1), State(2), State(3), State(4)));
    }
}
