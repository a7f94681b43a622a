using HelpDesk.Application.Agents.CreateAgent;
using HelpDesk.Application.Agents.CreateApiToken;
using HelpDesk.Application.Agents.ManageAgents;
using HelpDesk.Application.Configuration.GetConfiguration;
using HelpDesk.Application.Configuration.ImportHolidays;
using HelpDesk.Application.Configuration.PutCalendar;
using HelpDesk.Application.Configuration.PreviewSlaPolicy;
using HelpDesk.Application.Configuration.PutSlaPolicy;
using HelpDesk.Application.Sla;
using HelpDesk.Application.Sla.Simulation;
using HelpDesk.Application.Teams.CreateTeam;
using HelpDesk.Application.Auth;
using HelpDesk.Web.Auth;
using Mediator;
using NodaTime;

namespace HelpDesk.Web.Endpoints;

public static class ConfigurationEndpoints
{
    public sealed record CreateAgentRequest(string? Email, string? Name, string? Role, IReadOnlyList<string>? Teams, string? Password);
    public sealed record UpdateAgentRequest(string? Name, string? Role, IReadOnlyList<string>? Teams);
    public sealed record DeactivateAgentRequest(string? Tickets, string? ReassignTo);
    public sealed record CreateTeamRequest(string? Name, string? DisplayName);
    public sealed record CreateTokenRequest(string? Email, string? Name, Instant? ExpiresAt);

    public static RouteGroupBuilder MapConfigurationEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/calendars", async (IMediator m, CancellationToken ct) => Results.Ok(await m.Send(new GetCalendars(), ct)))
            .WithTags("Configuration").WithSummary("Every business calendar at its latest version (lead, admin)")
            .Produces<IReadOnlyList<ConfigurationDto<CalendarBody>>>();

        api.MapGet("/calendars/{name}", async (string name, HttpContext http, IMediator m, CancellationToken ct) =>
            {
                var c = (await m.Send(new GetCalendar(name), ct))[0];
                return http.Tagged(c, c.Version);
            })
            .WithTags("Configuration").WithSummary("A calendar's latest version, with its ETag (lead, admin)").Produces<ConfigurationDto<CalendarBody>>();

        api.MapGet("/calendars/{name}/versions", async (string name, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetCalendar(name, History: true), ct)))
            .WithTags("Configuration").WithSummary("Every version of a calendar, newest first (lead, admin)").Produces<IReadOnlyList<ConfigurationDto<CalendarBody>>>();

        api.MapPut("/calendars/{name}", async (string name, CalendarBody body, HttpContext http, IMediator m, CancellationToken ct) =>
            {
                var v = await m.Send(new PutCalendar(name, body, http.IfMatch()), ct);
                return http.Tagged(v, v.Version);
            })
            .WithTags("Configuration").WithSummary("Create a business calendar or add a new version (admin)").Produces<ConfigurationVersionDto>().WithIfMatch();

        api.MapPost("/calendars/{name}/holidays/import", async (string name, HttpRequest request, HttpContext http, IMediator m, CancellationToken ct) =>
            {
                using var reader = new StreamReader(request.Body);
                var import = await m.Send(new ImportHolidays(name, await reader.ReadToEndAsync(ct), http.IfMatch()), ct);
                return import.Version is { } v ? http.Tagged(import, v) : Results.Ok(import);
            })
            .WithTags("Configuration")
            .WithSummary("Add the all-day events of an iCalendar (.ics) file to a calendar's holidays; answers what was added and what was skipped (admin)")
            .Accepts<string>("text/calendar").Produces<HolidayImport>().WithIfMatch();

        api.MapGet("/sla-policies", async (IMediator m, CancellationToken ct) => Results.Ok(await m.Send(new GetSlaPolicies(), ct)))
            .WithTags("Configuration").WithSummary("Every SLA policy at its latest version, in the order they are tried (lead, admin)")
            .Produces<IReadOnlyList<ConfigurationDto<PolicyBody>>>();

        api.MapGet("/sla-policies/{name}", async (string name, HttpContext http, IMediator m, CancellationToken ct) =>
            {
                var p = (await m.Send(new GetSlaPolicy(name), ct))[0];
                return http.Tagged(p, p.Version);
            })
            .WithTags("Configuration").WithSummary("An SLA policy's latest version, with its ETag (lead, admin)").Produces<ConfigurationDto<PolicyBody>>();

        api.MapGet("/sla-policies/{name}/versions", async (string name, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetSlaPolicy(name, History: true), ct)))
            .WithTags("Configuration").WithSummary("Every version of an SLA policy, newest first (lead, admin)").Produces<IReadOnlyList<ConfigurationDto<PolicyBody>>>();

        api.MapPut("/sla-policies/{name}", async (string name, PolicyBody body, HttpContext http, IMediator m, CancellationToken ct) =>
            {
                var v = await m.Send(new PutSlaPolicy(name, body, http.IfMatch()), ct);
                return http.Tagged(v, v.Version);
            })
            .WithTags("Configuration").WithSummary("Create an SLA policy or add a new version (admin)").Produces<ConfigurationVersionDto>().WithIfMatch();

        api.MapPost("/sla-policies/{name}/preview", async (string name, PolicyBody body, HttpContext http, IMediator m, CancellationToken ct) =>
                Results.Ok(await m.Send(new PreviewSlaPolicy(name, body, http.IfMatch()), ct)))
            .WithTags("Configuration")
            .WithSummary("Dry run of the PUT with the same body: the open tickets whose policy, clock state or due instant would change, and by how much (admin)")
            .Produces<SlaPreview>().WithIfMatch();

        api.MapPost("/sla/simulate", async (HttpRequest request, IMediator m, CancellationToken ct) =>
            {
                using var reader = new StreamReader(request.Body);
                return Results.Json(await m.Send(new SimulateSla(await reader.ReadToEndAsync(ct)), ct), SlaReportJson.Options);
            })
            .WithTags("Configuration").WithSummary("`helpdesk sla simulate`: run the SLA engine on a scenario (the CLI's input JSON), nothing stored (lead, admin)")
            .Accepts<object>("application/json").Produces<SlaReportDto>();

        api.MapGet("/teams", async (IMediator m, CancellationToken ct) => Results.Ok(await m.Send(new GetTeams(), ct)))
            .WithTags("Configuration").WithSummary("The teams (admin: all; lead: their own)").Produces<IReadOnlyList<TeamDto>>();

        api.MapPost("/teams", async (CreateTeamRequest r, IMediator m, CancellationToken ct) =>
        {
            var team = await m.Send(new CreateTeam(r.Name, r.DisplayName), ct);
            return Results.Created($"/api/v1/teams/{team.Name}", team);
        }).WithTags("Configuration").WithSummary("Create a team (admin)").Produces<TeamDto>(201);

        api.MapGet("/agents", async (IMediator m, CancellationToken ct) => Results.Ok(await m.Send(new GetAgents(), ct)))
            .WithTags("Agents").WithSummary("The agents (admin: all; lead: those sharing a team)").Produces<IReadOnlyList<AgentDto>>();

        api.MapGet("/agents/{email}", async (string email, HttpContext http, IMediator m, CancellationToken ct) =>
            {
                var a = await m.Send(new GetAgent(email), ct);
                return http.Tagged(a, a.Version);
            })
            .WithTags("Agents").WithSummary("One agent, with its ETag (lead, admin)").Produces<AgentDto>();

        api.MapPost("/agents", async (CreateAgentRequest r, IMediator m, CancellationToken ct) =>
        {
            // A password an admin chose must be changed at the agent's first sign-in.
            var agent = await m.Send(new CreateAgent(r.Email, r.Name, r.Role, r.Teams, r.Password, MustChangePassword: true), ct);
            return Results.Created($"/api/v1/agents/{agent.Email}", agent);
        }).WithTags("Agents").WithSummary("Create an agent (admin); a password given here must be changed at first sign-in").Produces<AgentDto>(201);

        api.MapPut("/agents/{email}", async (string email, UpdateAgentRequest r, HttpContext http, IMediator m, CancellationToken ct) =>
            {
                var a = await m.Send(new UpdateAgent(email, r.Name, r.Role, r.Teams, http.IfMatch()), ct);
                return http.Tagged(a, a.Version);
            })
            .WithTags("Agents").WithSummary("Rename an agent, set their role and teams (admin)").Produces<AgentDto>().WithIfMatch();

        api.MapPost("/agents/{email}/deactivate", async (string email, DeactivateAgentRequest r, HttpContext http, IMediator m,
            Sessions sessions, CancellationToken ct) =>
        {
            var done = await m.Send(new DeactivateAgent(email, r.Tickets, r.ReassignTo, http.IfMatch()), ct);
            // This node's open console connections of the agent close now; other nodes' within the sweep (docs/security.md).
            sessions.CloseConnections(agentId: done.AgentId);
            return http.Tagged(done, done.Agent.Version);
        }).WithTags("Agents")
            .WithSummary("Deactivate an agent: sessions end, tokens are revoked, open tickets unassigned or reassigned (admin)")
            .Produces<Deactivated>().WithIfMatch();

        api.MapPost("/tokens", async (CreateTokenRequest r, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new CreateApiToken(r.Email, r.Name, r.ExpiresAt), ct)))
            .WithTags("Tokens").WithSummary("Issue an API token (your own, or anyone's as admin), optionally expiring; shown once").Produces<IssuedToken>()
            .LimitSignInAbuse(SignInLimits.Caller).ProducesProblem(StatusCodes.Status429TooManyRequests);
        return api;
    }
}
