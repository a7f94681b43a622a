using HelpDesk.Application.Agents.CreateAgent;
using HelpDesk.Application.Agents.CreateApiToken;
using HelpDesk.Application.Configuration.PutCalendar;
using HelpDesk.Application.Configuration.PutSlaPolicy;
using HelpDesk.Application.Teams.CreateTeam;
using HelpDesk.Web.Auth;
using Mediator;

namespace HelpDesk.Web.Endpoints;

public static class ConfigurationEndpoints
{
    public sealed record CreateAgentRequest(string? Email, string? Name, string? Role, IReadOnlyList<string>? Teams, string? Password);
    public sealed record CreateTeamRequest(string? Name, string? DisplayName);
    public sealed record CreateTokenRequest(string? Email, string? Name);

    public static RouteGroupBuilder MapConfigurationEndpoints(this RouteGroupBuilder api)
    {
        api.MapPut("/calendars/{name}", async (string name, CalendarBody body, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new PutCalendar(name, body), ct)))
            .WithTags("Configuration").WithSummary("Create a business calendar or add a new version (admin)").Produces<ConfigurationVersionDto>();

        api.MapPut("/sla-policies/{name}", async (string name, PolicyBody body, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new PutSlaPolicy(name, body), ct)))
            .WithTags("Configuration").WithSummary("Create an SLA policy or add a new version (admin)").Produces<ConfigurationVersionDto>();

        api.MapPost("/teams", async (CreateTeamRequest r, IMediator m, CancellationToken ct) =>
        {
            var team = await m.Send(new CreateTeam(r.Name, r.DisplayName), ct);
            return Results.Created($"/api/v1/teams/{team.Name}", team);
        }).WithTags("Configuration").WithSummary("Create a team (admin)").Produces<TeamDto>(201);

        api.MapPost("/agents", async (CreateAgentRequest r, IMediator m, CancellationToken ct) =>
        {
            var agent = await m.Send(new CreateAgent(r.Email, r.Name, r.Role, r.Teams, r.Password), ct);
            return Results.Created($"/api/v1/agents/{agent.Email}", agent);
        }).WithTags("Configuration").WithSummary("Create an agent (admin)").Produces<AgentDto>(201);

        api.MapPost("/tokens", async (CreateTokenRequest r, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new CreateApiToken(r.Email, r.Name), ct)))
            .WithTags("Configuration").WithSummary("Issue an API token (your own, or anyone's as admin); shown once").Produces<IssuedToken>()
            .LimitSignInAbuse(SignInLimits.Caller).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return api;
    }
}
