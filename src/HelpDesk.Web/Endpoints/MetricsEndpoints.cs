using HelpDesk.Application.Reporting.GetMetrics;
using HelpDesk.Application.Reporting.GetScorecards;
using Mediator;

namespace HelpDesk.Web.Endpoints;

/// <summary>Service metrics and scorecards (docs/reporting.md "Metrics and scorecards").</summary>
public static class MetricsEndpoints
{
    public static RouteGroupBuilder MapMetricsEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/metrics", async (string? from, string? to, string? team, string? agent, string? priority, string? channel, string? tz,
                string? metric, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetMetrics(from, to, team, agent, priority, channel, tz, metric), ct)))
            .WithTags("Metrics")
            .WithSummary("Service metrics for a period of local dates (agents: their own figures; leads: their teams; admins: all)")
            .Produces<MetricsDto>();

        var scorecards = api.MapGroup("/scorecards").WithTags("Metrics");
        scorecards.MapGet("/", async (string? from, string? to, string? team, string? tz, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetScorecards(from, to, team, tz), ct)))
            .WithSummary("Scorecards per agent and team (leads: their teams; admins: all; agents: their own row)")
            .Produces<ScorecardsDto>();
        scorecards.MapGet("/agents/{agentId}", async (string agentId, string? from, string? to, string? tz, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetAgentScorecard(agentId, from, to, tz), ct)))
            .WithSummary("One agent's scorecard (self, or a lead/admin of one of the agent's teams)")
            .Produces<AgentScorecardDto>();
        return api;
    }
}
