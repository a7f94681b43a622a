using System.Net;
using System.Net.Http.Json;
using HelpDesk.Web.Tests.Infrastructure;
using NodaTime;

namespace HelpDesk.Web.Tests.Api;

public sealed class SlaApiTests : IAsyncLifetime
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
            holidays = new[] { "2026-12-25" },
        })).EnsureSuccessStatusCode();

    private async Task<HttpResponseMessage> PutPolicyAsync(string firstResponse) =>
        await _admin.PutAsJsonAsync("/api/v1/sla-policies/standard", new
        {
            position = 10,
            calendar = "office",
            targets = new Dictionary<string, object> { ["normal"] = new { firstResponse, nextReply = "PT8H", resolution = "PT24H" } },
        });

    [Fact]
    public async Task Ticket_sla_shows_every_cycle_in_the_simulator_shape()
    {
        await PutOfficeCalendarAsync();
        (await PutPolicyAsync("PT4H")).EnsureSuccessStatusCode();
        var number = await _admin.CreateTicketNumberAsync();
        _factory.Clock.Advance(Duration.FromHours(1));

        var sla = await (await _admin.GetAsync($"/api/v1/tickets/{number}/sla")).JsonAsync();

        sla.GetProperty("policy").GetString().Should().Be("standard");
        var clocks = sla.GetProperty("clocks").EnumerateArray().ToList();
        clocks.Select(c => c.GetProperty("metric").GetString()).Should().Equal("firstResponse", "resolution");
        var first = clocks[0];
        first.GetProperty("state").GetString().Should().Be("running");
        first.GetProperty("target").GetString().Should().Be("PT4H");
        first.GetProperty("startedAt").GetString().Should().Be("2026-03-02T08:00:00Z");
        first.GetProperty("dueAt").GetString().Should().Be("2026-03-02T12:00:00Z");
        first.GetProperty("counted").GetString().Should().Be("PT1H");
        first.GetProperty("breachedAt").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        first.GetProperty("warnings").EnumerateArray().Select(w => (w.GetProperty("percent").GetInt32(), w.GetProperty("at").GetString()))
            .Should().Equal((75, "2026-03-02T11:00:00Z"), (90, "2026-03-02T11:36:00Z"));
        first.GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("kind").GetString()).Should().Equal("counting");
    }

    [Fact]
    public async Task A_public_agent_reply_stops_first_response_but_an_internal_note_does_not()
    {
        await PutOfficeCalendarAsync();
        (await PutPolicyAsync("PT4H")).EnsureSuccessStatusCode();
        var number = await _admin.CreateTicketNumberAsync();
        _factory.Clock.Advance(Duration.FromMinutes(30));
        (await _admin.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "looking", visibility = "internal" })).EnsureSuccessStatusCode();
        _factory.Clock.Advance(Duration.FromMinutes(30));
        (await _admin.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "Fixed it", visibility = "public" })).EnsureSuccessStatusCode();

        var first = (await (await _admin.GetAsync($"/api/v1/tickets/{number}/sla")).JsonAsync()).GetProperty("clocks")[0];

        first.GetProperty("state").GetString().Should().Be("met");
        first.GetProperty("stoppedAt").GetString().Should().Be("2026-03-02T09:00:00Z");
        first.GetProperty("counted").GetString().Should().Be("PT1H");
    }

    [Fact]
    public async Task A_policy_edit_moves_running_due_instants_and_keeps_stopped_outcomes()
    {
        await PutOfficeCalendarAsync();
        (await PutPolicyAsync("PT4H")).EnsureSuccessStatusCode();
        var answered = await _admin.CreateTicketNumberAsync();
        var waiting = await _admin.CreateTicketNumberAsync();
        _factory.Clock.Advance(Duration.FromHours(3));
        (await _admin.PostAsJsonAsync($"/api/v1/tickets/{answered}/replies", new { body = "done" })).EnsureSuccessStatusCode();
        _factory.Clock.Advance(Duration.FromMinutes(1));

        var edit = await PutPolicyAsync("PT2H");

        edit.StatusCode.Should().Be(HttpStatusCode.OK);
        (await edit.JsonAsync()).GetProperty("version").GetInt32().Should().Be(2);
        var waitingTicket = await (await _admin.GetAsync($"/api/v1/tickets/{waiting}")).JsonAsync();
        waitingTicket.GetProperty("slaDueAt").GetString().Should().Be("2026-03-02T10:00:00Z");
        var waitingSla = await (await _admin.GetAsync($"/api/v1/tickets/{waiting}/sla")).JsonAsync();
        waitingSla.GetProperty("clocks")[0].GetProperty("state").GetString().Should().Be("breached");
        waitingSla.GetProperty("versions").GetArrayLength().Should().Be(2);
        var answeredSla = await (await _admin.GetAsync($"/api/v1/tickets/{answered}/sla")).JsonAsync();
        answeredSla.GetProperty("clocks")[0].GetProperty("state").GetString().Should().Be("met");
        answeredSla.GetProperty("clocks")[0].GetProperty("target").GetString().Should().Be("PT4H");
    }

    [Fact]
    public async Task Invalid_calendar_and_policy_get_400_naming_the_field()
    {
        var calendar = await _admin.PutAsJsonAsync("/api/v1/calendars/office", new
        {
            timeZone = "Mars/Olympus",
            week = new Dictionary<string, string[][]> { ["monday"] = [["09:00", "12:00"], ["11:00", "17:00"]] },
        });
        calendar.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await calendar.JsonAsync()).GetProperty("errors").TryGetProperty("timeZone", out _).Should().BeTrue();

        await PutOfficeCalendarAsync();
        var policy = await _admin.PutAsJsonAsync("/api/v1/sla-policies/standard", new
        {
            position = 1,
            calendar = "office",
            targets = new Dictionary<string, object> { ["normal"] = new { firstResponse = "four hours" }, ["someday"] = new { } },
            warnAtPercent = new[] { 150 },
        });
        policy.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await policy.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        errors.Should().BeEquivalentTo(["targets.normal.firstResponse", "targets.someday", "warnAtPercent[0]"]);
    }

    [Theory]
    [InlineData("P1M")]
    [InlineData("P1Y")]
    [InlineData("PT0S")]
    [InlineData("-PT4H")]
    public async Task A_target_of_no_fixed_positive_length_gets_400_naming_the_field(string firstResponse)
    {
        await PutOfficeCalendarAsync();

        var response = await PutPolicyAsync(firstResponse);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).Should().Equal("targets.normal.firstResponse");
    }

    [Fact]
    public async Task A_calendar_with_seconds_in_its_ranges_is_stored_and_read_back()
    {
        var calendar = await _admin.PutAsJsonAsync("/api/v1/calendars/office", new
        {
            timeZone = "Europe/Berlin",
            week = new Dictionary<string, string[][]> { ["Monday"] = [["09:00:30", "17:00"]] },
        });
        calendar.EnsureSuccessStatusCode();
        (await PutPolicyAsync("PT4H")).EnsureSuccessStatusCode();

        var number = await _admin.CreateTicketNumberAsync();
        var sla = await (await _admin.GetAsync($"/api/v1/tickets/{number}/sla")).JsonAsync();
        sla.GetProperty("clocks")[0].GetProperty("target").GetString().Should().Be("PT4H");
    }

    [Fact]
    public async Task Overlapping_ranges_are_refused_with_the_day_named()
    {
        var calendar = await _admin.PutAsJsonAsync("/api/v1/calendars/office", new
        {
            timeZone = "Europe/Berlin",
            week = new Dictionary<string, string[][]> { ["monday"] = [["09:00", "12:00"], ["11:00", "17:00"]] },
        });
        calendar.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await calendar.Content.ReadAsStringAsync()).Should().Contain("monday");
    }

    [Fact]
    public async Task A_policy_on_an_unknown_calendar_is_refused()
    {
        var response = await PutPolicyAsync("PT4H");
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync()).GetProperty("errors").TryGetProperty("calendar", out _).Should().BeTrue();
    }
}
