using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Reporting.GetMetrics;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Reporting;
using HelpDesk.Domain.Agents;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Reporting.GetScorecards;

/// <summary>
/// Scorecards for a period: one row per agent and per team (tickets solved, first response and resolution time in
/// business time, FCR, CSAT, breaches attributed). Leads and admins get their teams (admin: all, or <see cref="Team"/>);
/// an agent gets only their own row and no team rows.
/// </summary>
public sealed record GetScorecards(string? From, string? To, string? Team = null, string? Tz = null) : IQuery<ScorecardsDto>, IReportPeriodQuery;

/// <summary>One agent's row (<see cref="AgentId"/> is an id or an e-mail): 404 when unknown, 403 unless self or lead/admin of one of their teams.</summary>
public sealed record GetAgentScorecard(string AgentId, string? From, string? To, string? Tz = null) : IQuery<AgentScorecardDto>, IReportPeriodQuery;

/// <summary>Business time of the measurements that have one (tickets under an SLA policy).</summary>
public sealed record ScorecardTimeDto(int Count, long? MeanMs, long? MedianMs, long? P90Ms)
{
    public static ScorecardTimeDto Of(long[] businessMs)
    {
        var s = Statistics.Summarise(businessMs);
        return new ScorecardTimeDto(businessMs.Length, s.MeanMs, s.MedianMs, s.P90Ms);
    }
}

public sealed record AgentScorecardDto(Guid AgentId, string Name, string Email, int Solved, ScorecardTimeDto FirstResponse,
    ScorecardTimeDto Resolution, FcrDto FirstContactResolution, CsatScore Csat, int Breaches);

public sealed record TeamScorecardDto(Guid TeamId, string Team, int Solved, ScorecardTimeDto FirstResponse,
    ScorecardTimeDto Resolution, FcrDto FirstContactResolution, CsatScore Csat, int Breaches);

public sealed record ScorecardsDto(LocalDate From, LocalDate To, IReadOnlyList<AgentScorecardDto> Agents, IReadOnlyList<TeamScorecardDto> Teams);

public sealed class GetScorecardsValidator : AbstractValidator<GetScorecards>
{
    public GetScorecardsValidator() => Include(new ReportPeriodValidator());
}

public sealed class GetAgentScorecardValidator : AbstractValidator<GetAgentScorecard>
{
    public GetAgentScorecardValidator()
    {
        Include(new ReportPeriodValidator());
        RuleFor(q => q.AgentId).NotEmpty().WithMessage("'agentId' is required.");
    }
}

public sealed class GetScorecardsHandler(HelpDeskDbContext db, ReportScope scope) : IQueryHandler<GetScorecards, ScorecardsDto>
{
    public async ValueTask<ScorecardsDto> Handle(GetScorecards query, CancellationToken ct)
    {
        var period = ReportPeriod.Of(query);
        var filter = await scope.ResolveAsync(query.Team, null, null, null, ct);
        var figures = await ScorecardFigures.LoadAsync(db, filter, period, ct);

        var agents = await db.Agents.AsNoTracking().ToListAsync(ct);
        var shown = filter.AgentId is { } self
            ? agents.Where(a => a.Id == self)
            : agents.Where(a => (filter.TeamIds is null ? a.TeamIds.Count > 0 : a.TeamIds.Any(filter.TeamIds.Contains)) || figures.Involves(a.Id));
        var teams = filter.AgentId is not null
            ? []
            : (await db.Teams.AsNoTracking().ToListAsync(ct)).Where(t => filter.TeamIds?.Contains(t.Id) ?? true).ToList();

        return new ScorecardsDto(period.From, period.To,
            shown.OrderBy(a => a.Name, StringComparer.CurrentCultureIgnoreCase).Select(figures.ForAgent).ToList(),
            teams.OrderBy(t => t.DisplayName, StringComparer.CurrentCultureIgnoreCase).Select(t => figures.ForTeam(t.Id, t.DisplayName)).ToList());
    }
}

public sealed class GetAgentScorecardHandler(HelpDeskDbContext db, ReportScope scope, Caller caller) : IQueryHandler<GetAgentScorecard, AgentScorecardDto>
{
    public async ValueTask<AgentScorecardDto> Handle(GetAgentScorecard query, CancellationToken ct)
    {
        var period = ReportPeriod.Of(query);
        var agent = await caller.KnownOrNullAsync(await scope.FindAgentAsync(query.AgentId, ct), ct) ?? throw new NotFoundException($"Agent '{query.AgentId}' was not found.");
        var me = await caller.AgentAsync(ct);
        if (me is not null && me.Id != agent.Id && me.Role != AgentRole.Admin && !(me.Role == AgentRole.Lead && agent.TeamIds.Any(me.IsMemberOf)))
            throw new ForbiddenException("You may see only your own scorecard, or those of the teams you lead.");
        var filter = new ReportFilter(await caller.VisibleTeamsAsync(ct), agent.Id, null, null);
        return (await ScorecardFigures.LoadAsync(db, filter, period, ct)).ForAgent(agent);
    }
}

/// <summary>
/// The rows behind scorecards, loaded once per request: solves (credited to the agent who held the ticket at the
/// solve), first responses (credited to the current assignee) and breaches (attributed holder), grouped in memory.
/// </summary>
internal sealed class ScorecardFigures
{
    private sealed record Solve(Guid? AgentId, Guid TeamId, long? BusinessMs, bool FirstContact);

    private sealed record Response(Guid? AgentId, Guid TeamId, long? BusinessMs);

    private sealed record Breach(Guid? TeamId, Guid? AgentId, int Count);

    private readonly List<Solve> _solves;
    private readonly List<Response> _responses;
    private readonly List<Breach> _breaches;
    private readonly List<SurveyAnswer> _answers;

    private ScorecardFigures(List<Solve> solves, List<Response> responses, List<Breach> breaches, List<SurveyAnswer> answers) =>
        (_solves, _responses, _breaches, _answers) = (solves, responses, breaches, answers);

    public static async Task<ScorecardFigures> LoadAsync(HelpDeskDbContext db, ReportFilter filter, ReportPeriod period, CancellationToken ct)
    {
        var (start, end) = (period.Start, period.End);
        var solves = await ReportQueries.Tickets(db, filter, ReportQueries.AgentColumn.Solver)
            .Where(r => r.SolvedAt >= start && r.SolvedAt < end)
            .Select(r => new Solve(r.SolvedById, r.TeamId, r.ResolutionBusinessMs, r.FirstContactResolution))
            .ToListAsync(ct);
        var responses = await ReportQueries.Tickets(db, filter, ReportQueries.AgentColumn.FirstResponder)
            .Where(r => r.FirstResponseAt >= start && r.FirstResponseAt < end)
            .Select(r => new Response(r.FirstResponderId, r.TeamId, r.FirstResponseBusinessMs))
            .ToListAsync(ct);

        var breached = db.Set<ReportCycle>().AsNoTracking().Where(c => c.BreachedAt >= start && c.BreachedAt < end);
        if (filter.TeamIds is { } teams) breached = breached.Where(c => c.AttributedTeamId != null && teams.Contains(c.AttributedTeamId.Value));
        if (filter.AgentId is { } agent) breached = breached.Where(c => c.AttributedAgentId == agent);
        var breaches = await breached
            .GroupBy(c => new { c.AttributedTeamId, c.AttributedAgentId })
            .Select(g => new Breach(g.Key.AttributedTeamId, g.Key.AttributedAgentId, g.Count()))
            .ToListAsync(ct);
        var answers = (await ReportQueries.SurveyAnswers(db, filter, start, end).ToListAsync(ct)).Where(a => a.Rating is not null).ToList();
        return new ScorecardFigures(solves, responses, breaches, answers);
    }

    public bool Involves(Guid agentId) =>
        _solves.Any(s => s.AgentId == agentId) || _responses.Any(r => r.AgentId == agentId) || _breaches.Any(b => b.AgentId == agentId)
        || _answers.Any(a => a.AgentId == agentId);

    public AgentScorecardDto ForAgent(Agent agent)
    {
        var (solved, frt, resolution, fcr) = Of(_solves.Where(s => s.AgentId == agent.Id).ToList(), _responses.Where(r => r.AgentId == agent.Id));
        return new AgentScorecardDto(agent.Id, agent.Name, agent.Email, solved, frt, resolution, fcr,
            CsatScore.Of(_answers.Where(a => a.AgentId == agent.Id).Select(a => a.Rating!.Value)),
            _breaches.Where(b => b.AgentId == agent.Id).Sum(b => b.Count));
    }

    public TeamScorecardDto ForTeam(Guid teamId, string name)
    {
        var (solved, frt, resolution, fcr) = Of(_solves.Where(s => s.TeamId == teamId).ToList(), _responses.Where(r => r.TeamId == teamId));
        return new TeamScorecardDto(teamId, name, solved, frt, resolution, fcr,
            CsatScore.Of(_answers.Where(a => a.TeamId == teamId).Select(a => a.Rating!.Value)),
            _breaches.Where(b => b.TeamId == teamId).Sum(b => b.Count));
    }

    private static (int, ScorecardTimeDto, ScorecardTimeDto, FcrDto) Of(List<Solve> solves, IEnumerable<Response> responses)
    {
        var fcr = solves.Count(s => s.FirstContact);
        return (solves.Count,
            ScorecardTimeDto.Of(responses.Where(r => r.BusinessMs is not null).Select(r => r.BusinessMs!.Value).ToArray()),
            ScorecardTimeDto.Of(solves.Where(s => s.BusinessMs is not null).Select(s => s.BusinessMs!.Value).ToArray()),
            new FcrDto(solves.Count, fcr, Ratio.Of(fcr, solves.Count)));
    }
}
