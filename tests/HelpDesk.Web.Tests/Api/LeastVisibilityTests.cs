using System.Net;
using System.Net.Http.Json;
using HelpDesk.Web.Tests.Infrastructure;

namespace HelpDesk.Web.Tests.Api;

/// <summary>
/// Agents learn nothing about teams they are not in: they see only the escalation rules their teams are subject to, and
/// an agent address of another team is answered exactly as an address that does not exist (assignment, scorecards,
/// metrics), so addresses cannot be probed.
/// </summary>
public sealed class LeastVisibilityTests : IAsyncLifetime
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
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private async Task PutRuleAsync(string name, string[]? teams)
    {
        var response = await _admin.PutAsJsonAsync($"/api/v1/escalation-rules/{name}", new
        {
            position = 1,
            filters = new { teams },
            steps = new object[] { new { when = new { type = "sla_breached", metric = "firstResponse" }, actions = new object[] { new { type = "notify", target = "team" } } } },
        });
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    private static async Task<List<string>> RuleNamesAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/v1/escalation-rules")).JsonAsync()).EnumerateArray().Select(r => r.GetProperty("name").GetString()!).ToList();

    [Fact]
    public async Task Agents_and_leads_see_only_the_escalation_rules_of_their_teams()
    {
        await PutRuleAsync("everyone", null);
        await PutRuleAsync("support-ladder", ["support"]);
        await PutRuleAsync("tier2-ladder", ["tier2"]);

        (await RuleNamesAsync(_alice)).Should().BeEquivalentTo("everyone", "support-ladder");
        (await RuleNamesAsync(_tim)).Should().BeEquivalentTo("everyone", "tier2-ladder");
        (await RuleNamesAsync(_admin)).Should().BeEquivalentTo("everyone", "support-ladder", "tier2-ladder");
    }

    /// <summary>Status and body of the answer, with the probed address taken out: what an attacker can compare.</summary>
    private static async Task<(HttpStatusCode, string)> AnswerAsync(Task<HttpResponseMessage> send, string address)
    {
        var response = await send;
        var body = (await response.Content.ReadAsStringAsync()).Replace(address, "ADDRESS");
        return (response.StatusCode, System.Text.RegularExpressions.Regex.Replace(body, "\"traceId\":\"[^\"]*\"", ""));
    }

    [Fact]
    public async Task Assigning_to_an_agent_of_another_team_fails_exactly_as_assigning_to_an_unknown_address()
    {
        var number = await _alice.CreateTicketNumberAsync();

        var otherTeam = await AnswerAsync(_alice.PostAsJsonAsync($"/api/v1/tickets/{number}/assignment", new { agent = "tom@helpdesk.test" }), "tom@helpdesk.test");
        var unknown = await AnswerAsync(_alice.PostAsJsonAsync($"/api/v1/tickets/{number}/assignment", new { agent = "ghost@helpdesk.test" }), "ghost@helpdesk.test");

        otherTeam.Item1.Should().Be(HttpStatusCode.BadRequest);
        otherTeam.Should().Be(unknown);
    }

    [Theory]
    [InlineData("tim", "/api/v1/scorecards/agents/{0}?" + Day, "alice@helpdesk.test")]
    [InlineData("lena", "/api/v1/scorecards/agents/{0}?" + Day, "tom@helpdesk.test")]
    [InlineData("lena", "/api/v1/metrics?" + Day + "&agent={0}", "tom@helpdesk.test")]
    [InlineData("alice", "/api/v1/metrics?" + Day + "&agent={0}", "tom@helpdesk.test")]
    public async Task Figures_of_an_agent_of_another_team_fail_exactly_as_those_of_an_unknown_address(string caller, string url, string address)
    {
        var client = caller switch { "alice" => _alice, "lena" => _lena, _ => _tim };

        var otherTeam = await AnswerAsync(client.GetAsync(string.Format(url, address)), address);
        var unknown = await AnswerAsync(client.GetAsync(string.Format(url, "ghost@helpdesk.test")), "ghost@helpdesk.test");

        otherTeam.Item1.Should().BeOneOf(HttpStatusCode.NotFound, HttpStatusCode.BadRequest);
        otherTeam.Should().Be(unknown);
    }

    [Fact]
    public async Task Admins_are_still_told_that_an_agent_is_not_in_the_tickets_team()
    {
        var number = await _admin.CreateTicketNumberAsync();

        var response = await _admin.PostAsJsonAsync($"/api/v1/tickets/{number}/assignment", new { agent = "tom@helpdesk.test" });

        response.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await response.JsonAsync()).GetProperty("code").GetString().Should().Be("assignment.agent_not_in_team");
    }
}
