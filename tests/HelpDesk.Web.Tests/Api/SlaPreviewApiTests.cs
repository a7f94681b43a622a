using System.Net;
using System.Net.Http.Json;
using System.Text;
using HelpDesk.Web.Tests.Infrastructure;
using NodaTime;

namespace HelpDesk.Web.Tests.Api;

/// <summary>The SLA policy editor's dry run and simulator (issue 14): what a save would do, without saving.</summary>
public sealed class SlaPreviewApiTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _admin = null!;

    public async Task InitializeAsync() => _admin = await _factory.AgentClientAsync("admin@helpdesk.test", "admin", "support");

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private async Task PutOfficeCalendarAsync() =>
        (await _admin.PutAsJsonAsync("/api/v1/calendars/office", new
        {
            timeZone = "Europe/Berlin",
            week = new Dictionary<string, string[][]>
            {
                ["monday"] = [["09:00", "17:00"]], ["tuesday"] = [["09:00", "12:00"], ["13:00", "17:00"]],
                ["wednesday"] = [["09:00", "17:00"]], ["thursday"] = [["09:00", "17:00"]], ["friday"] = [["09:00", "17:00"]],
            },
        })).EnsureSuccessStatusCode();

    private static object Policy(string firstResponse) => new
    {
        position = 10,
        calendar = "office",
        targets = new Dictionary<string, object> { ["normal"] = new { firstResponse, nextReply = "PT8H", resolution = "PT24H" } },
    };

    [Fact]
    public async Task Policy_preview_answers_exactly_what_the_save_then_does_and_writes_nothing()
    {
        await PutOfficeCalendarAsync();
        (await _admin.PutAsJsonAsync("/api/v1/sla-policies/standard", Policy("PT4H"))).EnsureSuccessStatusCode();
        var answered = await _admin.CreateTicketNumberAsync();
        var waiting = await _admin.CreateTicketNumberAsync();
        _factory.Clock.Advance(Duration.FromHours(3));
        (await _admin.PostAsJsonAsync($"/api/v1/tickets/{answered}/replies", new { body = "done" })).EnsureSuccessStatusCode();
        _factory.Clock.Advance(Duration.FromMinutes(1));

        var preview = await _admin.PostAsJsonAsync("/api/v1/sla-policies/standard/preview", Policy("PT2H"));

        preview.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await preview.JsonAsync();
        body.GetProperty("examined").GetInt32().Should().Be(2);
        var tickets = body.GetProperty("tickets").EnumerateArray().ToList();
        tickets.Select(t => t.GetProperty("number").GetInt32()).Should().Equal(waiting);
        var changed = tickets[0];
        var clock = changed.GetProperty("clocks").EnumerateArray().Single();
        clock.GetProperty("metric").GetString().Should().Be("firstResponse");
        clock.GetProperty("stateBefore").GetString().Should().Be("running");
        clock.GetProperty("stateAfter").GetString().Should().Be("breached");
        clock.GetProperty("dueBefore").GetString().Should().Be("2026-03-02T12:00:00Z");
        clock.GetProperty("dueAfter").GetString().Should().Be("2026-03-02T10:00:00Z");
        clock.GetProperty("shift").GetString().Should().Be("-PT2H");
        (await (await _admin.GetAsync("/api/v1/sla-policies/standard")).JsonAsync()).GetProperty("version").GetInt32().Should().Be(1);
        (await (await _admin.GetAsync($"/api/v1/tickets/{waiting}")).JsonAsync()).GetProperty("slaDueAt").GetString().Should().Be("2026-03-02T12:00:00Z");

        (await _admin.PutAsJsonAsync("/api/v1/sla-policies/standard", Policy("PT2H"))).EnsureSuccessStatusCode();

        (await (await _admin.GetAsync($"/api/v1/tickets/{waiting}")).JsonAsync()).GetProperty("slaDueAt").GetString()
            .Should().Be(changed.GetProperty("dueAfter").GetString());
        var clocks = (await (await _admin.GetAsync($"/api/v1/tickets/{waiting}/sla")).JsonAsync()).GetProperty("clocks");
        clocks[0].GetProperty("state").GetString().Should().Be(clock.GetProperty("stateAfter").GetString());
        (await (await _admin.GetAsync($"/api/v1/tickets/{answered}/sla")).JsonAsync()).GetProperty("clocks")[0]
            .GetProperty("state").GetString().Should().Be("met");
    }

    [Fact]
    public async Task Policy_preview_of_a_new_policy_shows_tickets_it_would_take_over()
    {
        await PutOfficeCalendarAsync();
        (await _admin.PutAsJsonAsync("/api/v1/sla-policies/standard", Policy("PT4H"))).EnsureSuccessStatusCode();
        var urgent = await _admin.CreateTicketNumberAsync(priority: "urgent");
        var normal = await _admin.CreateTicketNumberAsync();

        var body = await (await _admin.PostAsJsonAsync("/api/v1/sla-policies/urgent-first/preview", new
        {
            position = 1,
            calendar = "office",
            conditions = new { priorities = new[] { "urgent" } },
            targets = new Dictionary<string, object> { ["urgent"] = new { firstResponse = "PT1H" } },
        })).JsonAsync();

        var ticket = body.GetProperty("tickets").EnumerateArray().Single();
        ticket.GetProperty("number").GetInt32().Should().Be(urgent).And.NotBe(normal);
        ticket.GetProperty("policyBefore").GetString().Should().Be("standard");
        ticket.GetProperty("policyAfter").GetString().Should().Be("urgent-first");
    }

    [Fact]
    public async Task Policy_preview_refuses_a_stale_if_match_and_a_bad_body_like_the_save()
    {
        await PutOfficeCalendarAsync();
        (await _admin.PutAsJsonAsync("/api/v1/sla-policies/standard", Policy("PT4H"))).EnsureSuccessStatusCode();
        (await _admin.PutAsJsonAsync("/api/v1/sla-policies/standard", Policy("PT3H"))).EnsureSuccessStatusCode();

        var stale = new HttpRequestMessage(HttpMethod.Post, "/api/v1/sla-policies/standard/preview") { Content = JsonContent.Create(Policy("PT2H")) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"1\"");
        (await _admin.SendAsync(stale)).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);

        var bad = await _admin.PostAsJsonAsync("/api/v1/sla-policies/standard/preview", Policy("four hours"));
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await bad.JsonAsync()).GetProperty("errors").TryGetProperty("targets.normal.firstResponse", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Rejects_policy_preview_from_a_lead()
    {
        await PutOfficeCalendarAsync();
        var lead = await _factory.AgentClientAsync("lead@helpdesk.test", "lead", "support");

        (await lead.PostAsJsonAsync("/api/v1/sla-policies/standard/preview", Policy("PT2H"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task A_tickets_scenario_simulated_gives_the_tickets_own_clocks()
    {
        await PutOfficeCalendarAsync();
        (await _admin.PutAsJsonAsync("/api/v1/sla-policies/standard", Policy("PT4H"))).EnsureSuccessStatusCode();
        var number = await _admin.CreateTicketNumberAsync();
        _factory.Clock.Advance(Duration.FromHours(1));
        (await _admin.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "Looking", visibility = "public" })).EnsureSuccessStatusCode();
        _factory.Clock.Advance(Duration.FromHours(10));

        var scenario = await (await _admin.GetAsync($"/api/v1/tickets/{number}/sla/scenario")).Content.ReadAsStringAsync();
        var simulated = await _admin.PostAsync("/api/v1/sla/simulate", new StringContent(scenario, Encoding.UTF8, "application/json"));

        simulated.StatusCode.Should().Be(HttpStatusCode.OK);
        var clocks = (await simulated.JsonAsync()).GetProperty("clocks");
        var own = (await (await _admin.GetAsync($"/api/v1/tickets/{number}/sla")).JsonAsync()).GetProperty("clocks");
        clocks.GetRawText().Should().Be(own.GetRawText());
        clocks.EnumerateArray().Select(c => c.GetProperty("state").GetString()).Should().Equal("met", "running");
    }

    [Fact]
    public async Task Simulate_names_the_bad_field_of_the_scenario()
    {
        var response = await _admin.PostAsync("/api/v1/sla/simulate", new StringContent(
            """{"calendar":"24/7","policy":{"targets":{"normal":{"firstResponse":"PT1H"}}},"events":[{"type":"opened","at":"2026-03-02T08:00:00Z"}],"now":"2026-03-02T09:00:00Z"}""",
            Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        errors.GetProperty("events[0].type")[0].GetString().Should().Contain("unknown event type 'opened'");
    }
}
