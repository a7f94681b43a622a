using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Web.Tests.Infrastructure;

namespace HelpDesk.Web.Tests.Api;

/// <summary>The read-back API of every setting (issue 14): write, read back equal, a stale write refused (412).</summary>
public sealed class SettingsApiTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _admin = null!;
    private HttpClient _lead = null!;
    private HttpClient _agent = null!;

    public async Task InitializeAsync()
    {
        _admin = await _factory.AgentClientAsync("alex@helpdesk.test", "admin", "support", "billing");
        _lead = await _factory.AgentClientAsync("lena@helpdesk.test", "lead", "support");
        _agent = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private static readonly object Calendar = new
    {
        timeZone = "Europe/Berlin",
        week = new Dictionary<string, string[][]> { ["monday"] = [["09:00", "12:00"], ["13:00", "24:00"]], ["friday"] = [["08:00", "16:00"]] },
        holidays = new[] { "2026-12-25" },
        twentyFourSeven = false,
    };

    private static object Policy(string firstResponse) => new
    {
        position = 5,
        calendar = "office",
        conditions = new { priorities = new[] { "urgent", "high" }, teams = new[] { "support" }, channels = Array.Empty<string>(), tags = new[] { "vip" }, organisations = Array.Empty<string>() },
        targets = new Dictionary<string, object> { ["high"] = new { firstResponse, nextReply = "PT8H", resolution = (string?)null } },
        warnAtPercent = new[] { 50, 90 },
        pauseOn = new[] { "pending" },
        active = true,
    };

    private static HttpRequestMessage Put(string path, object body, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    private static void ShouldEqualJson(JsonElement actual, object expected) =>
        JsonSerializer.Serialize(actual).Should().Be(JsonSerializer.Serialize(JsonSerializer.SerializeToElement(expected, new JsonSerializerOptions(JsonSerializerDefaults.Web))));

    [Fact]
    public async Task A_calendar_reads_back_as_it_was_put_and_a_stale_edit_is_refused()
    {
        (await _admin.SendAsync(Put("/api/v1/calendars/office", Calendar, null))).StatusCode.Should().Be(HttpStatusCode.OK);

        var read = await _admin.GetAsync("/api/v1/calendars/office");
        read.Headers.ETag!.Tag.Should().Be("\"1\"");
        ShouldEqualJson((await read.JsonAsync()).GetProperty("body"), Calendar);

        var edit = await _admin.SendAsync(Put("/api/v1/calendars/office", Calendar, "\"1\""));
        edit.StatusCode.Should().Be(HttpStatusCode.OK);
        edit.Headers.ETag!.Tag.Should().Be("\"2\"");
        var stale = await _admin.SendAsync(Put("/api/v1/calendars/office", Calendar, "\"1\""));
        stale.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        var problem = await stale.JsonAsync();
        problem.GetProperty("code").GetString().Should().Be("precondition.failed");
        problem.GetProperty("currentETag").GetString().Should().Be("\"2\"");

        var versions = await (await _admin.GetAsync("/api/v1/calendars/office/versions")).JsonAsync();
        versions.EnumerateArray().Select(v => v.GetProperty("version").GetInt32()).Should().Equal(2, 1);
        var list = await (await _lead.GetAsync("/api/v1/calendars")).JsonAsync();
        list.EnumerateArray().Select(c => c.GetProperty("name").GetString()).Should().Equal("office");
    }

    [Fact]
    public async Task An_sla_policy_reads_back_as_it_was_put_and_a_stale_edit_is_refused()
    {
        await _admin.SendAsync(Put("/api/v1/calendars/office", Calendar, null));
        (await _admin.SendAsync(Put("/api/v1/sla-policies/vip", Policy("PT1H"), "*"))).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed,
            "If-Match: * needs the policy to exist");
        (await _admin.SendAsync(Put("/api/v1/sla-policies/vip", Policy("PT1H"), null))).EnsureSuccessStatusCode();

        var read = await _admin.GetAsync("/api/v1/sla-policies/vip");
        var etag = read.Headers.ETag!.Tag;
        ShouldEqualJson((await read.JsonAsync()).GetProperty("body"), Policy("PT1H"));

        (await _admin.SendAsync(Put("/api/v1/sla-policies/vip", Policy("PT2H"), etag))).EnsureSuccessStatusCode();
        (await _admin.SendAsync(Put("/api/v1/sla-policies/vip", Policy("PT3H"), etag))).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);

        var current = await (await _lead.GetAsync("/api/v1/sla-policies/vip")).JsonAsync();
        ShouldEqualJson(current.GetProperty("body"), Policy("PT2H"));
        var history = await (await _admin.GetAsync("/api/v1/sla-policies/vip/versions")).JsonAsync();
        history.GetArrayLength().Should().Be(2);
        (await _admin.GetAsync("/api/v1/sla-policies/none")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_escalation_rule_reads_back_with_its_etag_and_a_stale_edit_is_refused()
    {
        var rule = new { position = 1, active = true, filters = new { teams = new[] { "support" } },
            steps = new object[] { new { when = new { type = "sla_breached", metric = "firstResponse" }, actions = new object[] { new { type = "notify", target = "team" } } } } };
        var put = await _admin.SendAsync(Put("/api/v1/escalation-rules/triage", rule, null));
        put.StatusCode.Should().Be(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());

        var read = await _admin.GetAsync("/api/v1/escalation-rules/triage");
        var etag = read.Headers.ETag!.Tag;
        (await read.JsonAsync()).GetProperty("steps")[0].GetProperty("when").GetProperty("metric").GetString().Should().Be("firstResponse");

        (await _admin.SendAsync(Put("/api/v1/escalation-rules/triage", rule, etag))).EnsureSuccessStatusCode();
        (await _admin.SendAsync(Put("/api/v1/escalation-rules/triage", rule, etag))).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        (await _admin.GetAsync("/api/v1/escalation-rules/nothing")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_agent_reads_back_as_changed_and_a_stale_change_is_refused()
    {
        var read = await _admin.GetAsync("/api/v1/agents/dana@helpdesk.test");
        var etag = read.Headers.ETag!.Tag;
        var change = new { name = "Dana Lead", role = "lead", teams = new[] { "billing", "support" } };

        var changed = await _admin.SendAsync(Put("/api/v1/agents/dana@helpdesk.test", change, etag));
        changed.StatusCode.Should().Be(HttpStatusCode.OK, await changed.Content.ReadAsStringAsync());
        (await _admin.SendAsync(Put("/api/v1/agents/dana@helpdesk.test", change with { }, etag))).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);

        var again = await (await _admin.GetAsync("/api/v1/agents/dana@helpdesk.test")).JsonAsync();
        again.GetProperty("name").GetString().Should().Be("Dana Lead");
        again.GetProperty("role").GetString().Should().Be("lead");
        again.GetProperty("teams").EnumerateArray().Select(t => t.GetString()).Should().Equal("billing", "support");
        var all = await (await _admin.GetAsync("/api/v1/agents")).JsonAsync();
        all.EnumerateArray().Select(a => a.GetProperty("email").GetString()).Should().Equal("alex@helpdesk.test", "dana@helpdesk.test", "lena@helpdesk.test");
    }

    [Fact]
    public async Task Leads_read_their_teams_and_agents_only()
    {
        await _factory.AgentClientAsync("bo@helpdesk.test", "agent", "billing");

        var teams = await (await _lead.GetAsync("/api/v1/teams")).JsonAsync();
        teams.EnumerateArray().Select(t => t.GetProperty("name").GetString()).Should().Equal("support");
        var agents = await (await _lead.GetAsync("/api/v1/agents")).JsonAsync();
        agents.EnumerateArray().Select(a => a.GetProperty("email").GetString()).Should().NotContain("bo@helpdesk.test");
        (await _lead.GetAsync("/api/v1/agents/bo@helpdesk.test")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        var adminTeams = await (await _admin.GetAsync("/api/v1/teams")).JsonAsync();
        adminTeams.EnumerateArray().Select(t => t.GetProperty("name").GetString()).Should().Equal("billing", "support");
    }

    public static TheoryData<string, string> AdminWrites => new()
    {
        { "PUT", "/api/v1/calendars/office" },
        { "PUT", "/api/v1/sla-policies/vip" },
        { "PUT", "/api/v1/escalation-rules/triage" },
        { "POST", "/api/v1/teams" },
        { "POST", "/api/v1/agents" },
        { "PUT", "/api/v1/agents/alex@helpdesk.test" },
        { "POST", "/api/v1/agents/alex@helpdesk.test/deactivate" },
        { "GET", "/api/v1/audit-log" },
        { "GET", "/api/v1/sign-in/lockouts" },
    };

    [Theory]
    [MemberData(nameof(AdminWrites))]
    public async Task Agents_and_leads_cannot_reach_an_admin_write(string method, string path)
    {
        foreach (var client in new[] { _agent, _lead })
        {
            var request = new HttpRequestMessage(new HttpMethod(method), path);
            if (method != "GET") request.Content = JsonContent.Create(new { name = "x" });
            var response = await client.SendAsync(request);
            response.StatusCode.Should().Be(HttpStatusCode.Forbidden, $"{method} {path}");
        }
    }

    [Theory]
    [InlineData("/api/v1/teams")]
    [InlineData("/api/v1/agents")]
    [InlineData("/api/v1/calendars")]
    [InlineData("/api/v1/sla-policies")]
    public async Task Agents_cannot_read_the_configuration_lists(string path) =>
        (await _agent.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

    [Fact]
    public async Task The_openapi_document_describes_the_settings_routes()
    {
        var document = await _factory.CreateClient().GetStringAsync("/openapi/v1.json");
        foreach (var route in new[] { "/api/v1/teams", "/api/v1/agents/{email}", "/api/v1/calendars/{name}", "/api/v1/sla-policies/{name}/versions",
                     "/api/v1/escalation-rules/{name}", "/api/v1/tokens/{id}", "/api/v1/audit-log", "/api/v1/me/password", "/api/v1/me/sessions" })
            document.Should().Contain($"\"{route}\"");
    }
}
