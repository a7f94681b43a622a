using System.Net;
using System.Net.Http.Json;
using HelpDesk.Web.Tests.Infrastructure;
using NodaTime;

namespace HelpDesk.Web.Tests.Api;

/// <summary>GET /api/v1/metrics and /scorecards: the JSON contract, validation problems naming the field, and who may see what.</summary>
public sealed class MetricsApiTests : IAsyncLifetime
{
    private const string Day = "from=2026-03-02&to=2026-03-02&tz=Europe/Berlin";
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _admin = null!, _lena = null!, _alice = null!, _tim = null!;

    public async Task InitializeAsync()
    {
        _admin = await _factory.AgentClientAsync("admin@helpdesk.test", "admin", "support");
        _lena = await _factory.AgentClientAsync("lena@helpdesk.test", "lead", "support");
        _alice = await _factory.AgentClientAsync("alice@helpdesk.test", "agent", "support");
        _tim = await _factory.AgentClientAsync("tim@helpdesk.test", "lead", "tier2");
        await _factory.AgentClientAsync("tom@helpdesk.test", "agent", "tier2");
        await _factory.UseBusinessHoursPolicyAsync(firstResponse: "PT4H");
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private async Task<int> AnsweredTicketAsync(HttpClient agent, TimeSpan after)
    {
        var number = await agent.CreateTicketNumberAsync();
        (await agent.PostAsync($"/api/v1/tickets/{number}/claim", null)).EnsureSuccessStatusCode();
        _factory.Clock.Advance(Duration.FromTimeSpan(after));
        (await agent.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "Unlocked it.", visibility = "public" })).EnsureSuccessStatusCode();
        return number;
    }

    [Fact]
    public async Task Metrics_answer_in_the_agreed_shape()
    {
        await AnsweredTicketAsync(_alice, TimeSpan.FromMinutes(30));
        await AnsweredTicketAsync(_alice, TimeSpan.FromHours(2));

        var response = await _lena.GetAsync($"/api/v1/metrics?{Day}");

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var json = await response.JsonAsync();
        json.GetProperty("from").GetString().Should().Be("2026-03-02");
        json.GetProperty("timeZone").GetString().Should().Be("Europe/Berlin");
        var frt = json.GetProperty("firstResponse");
        frt.GetProperty("count").GetInt32().Should().Be(2);
        frt.GetProperty("business").GetProperty("medianMs").GetInt64().Should().Be(75 * 60_000, "(30 min + 120 min) / 2");
        frt.GetProperty("business").GetProperty("p90Ms").GetInt64().Should().Be(120 * 60_000);
        frt.GetProperty("attainment").GetProperty("rate").GetDouble().Should().Be(1.0);
        json.GetProperty("nextReply").GetProperty("attainment").GetProperty("rate").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        json.GetProperty("backlog").GetProperty("total").GetInt32().Should().Be(2);
        json.GetProperty("backlog").GetProperty("bySlaState").GetProperty("onTrack").GetInt32().Should().Be(2, "the resolution clocks are running");
        json.GetProperty("backlog").GetProperty("byPriority").GetProperty("normal").GetInt32().Should().Be(2);
        json.GetProperty("csat").GetProperty("answers").GetInt32().Should().Be(0);
        json.GetProperty("ces").GetProperty("distribution").GetArrayLength().Should().Be(7);
        json.GetProperty("weekly").EnumerateArray().Single().GetProperty("weekStart").GetString().Should().Be("2026-03-02");
        var buckets = json.GetProperty("frtDistribution").EnumerateArray().ToList();
        buckets.Select(b => b.GetProperty("label").GetString()).Should().Equal("< 1h", "1–4h", "4–8h", "8–24h", "1–3d", "> 3d");
        buckets[0].GetProperty("upToMs").GetInt64().Should().Be(3_600_000);
        buckets[^1].GetProperty("upToMs").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        buckets.Select(b => b.GetProperty("count").GetInt32()).Should().Equal(1, 1, 0, 0, 0, 0);
    }

    [Theory]
    [InlineData("to=2026-03-02", "from")]
    [InlineData("from=2026-03-02", "to")]
    [InlineData("from=2026-3-2&to=2026-03-02", "from")]
    [InlineData("from=2026-03-05&to=2026-03-02", "to")]
    [InlineData("from=2025-01-01&to=2026-01-02", "to")]
    [InlineData("from=2026-03-02&to=2026-03-02&tz=Mars/Olympus", "tz")]
    [InlineData("from=2026-03-02&to=2026-03-02&priority=critical", "priority")]
    [InlineData("from=2026-03-02&to=2026-03-02&metric=happiness", "metric")]
    [InlineData("from=2026-03-02&to=2026-03-02&team=nobody", "team")]
    [InlineData("from=2026-03-02&to=2026-03-02&agent=ghost@helpdesk.test", "agent")]
    public async Task Invalid_metrics_requests_are_400_naming_the_field(string query, string field)
    {
        var response = await _admin.GetAsync($"/api/v1/metrics?{query}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.JsonAsync();
        problem.GetProperty("errors").TryGetProperty(field, out _).Should().BeTrue(problem.ToString());
    }

    [Fact]
    public async Task A_period_of_366_days_is_accepted()
    {
        (await _admin.GetAsync("/api/v1/metrics?from=2025-03-03&to=2026-03-03")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await _admin.GetAsync("/api/v1/scorecards?from=2026-03-02")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("alice", "/api/v1/scorecards/agents/lena@helpdesk.test?from=2026-03-02&to=2026-03-02")]
    [InlineData("alice", "/api/v1/metrics?from=2026-03-02&to=2026-03-02&agent=lena@helpdesk.test")]
    [InlineData("alice", "/api/v1/metrics?from=2026-03-02&to=2026-03-02&team=tier2")]
    [InlineData("lena", "/api/v1/scorecards?from=2026-03-02&to=2026-03-02&team=tier2")]
    // Agents of teams the caller shares none with are answered as unknown (LeastVisibilityTests).
    public async Task Another_teams_or_agents_figures_are_forbidden(string caller, string url)
    {
        var client = caller switch { "alice" => _alice, "lena" => _lena, _ => _tim };

        var response = await client.GetAsync(url);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.JsonAsync()).GetProperty("status").GetInt32().Should().Be(403);
    }

    [Fact]
    public async Task A_lead_sees_the_scorecards_of_their_team_and_its_members()
    {
        await AnsweredTicketAsync(_alice, TimeSpan.FromHours(1));

        var scorecards = await (await _lena.GetAsync($"/api/v1/scorecards?{Day}")).JsonAsync();
        var alice = await _lena.GetAsync($"/api/v1/scorecards/agents/alice@helpdesk.test?{Day}");
        var tims = await _tim.GetAsync($"/api/v1/scorecards/agents/tom@helpdesk.test?{Day}");

        scorecards.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("email").GetString())
            .Should().BeEquivalentTo("admin@helpdesk.test", "alice@helpdesk.test", "lena@helpdesk.test");
        scorecards.GetProperty("teams").EnumerateArray().Select(t => t.GetProperty("team").GetString()).Should().Equal("support");
        alice.StatusCode.Should().Be(HttpStatusCode.OK);
        var row = await alice.JsonAsync();
        row.GetProperty("firstResponse").GetProperty("count").GetInt32().Should().Be(1);
        row.GetProperty("firstResponse").GetProperty("meanMs").GetInt64().Should().Be(3_600_000);
        tims.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_agent_gets_only_their_own_scorecard_row()
    {
        var mine = await (await _alice.GetAsync($"/api/v1/scorecards?{Day}")).JsonAsync();
        var self = await _alice.GetAsync($"/api/v1/scorecards/agents/alice@helpdesk.test?{Day}");
        var unknown = await _admin.GetAsync($"/api/v1/scorecards/agents/ghost@helpdesk.test?{Day}");

        mine.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("email").GetString()).Should().Equal("alice@helpdesk.test");
        mine.GetProperty("teams").GetArrayLength().Should().Be(0);
        self.StatusCode.Should().Be(HttpStatusCode.OK);
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }
}
