using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Console.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace HelpDesk.Console.Tests.Hub;

/// <summary>The console hub with the real .NET SignalR client over a real loopback port.</summary>
public sealed class ConsoleHubTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task Anonymous_negotiate_is_refused_with_401()
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var response = await http.PostAsync("/hubs/console/negotiate?negotiateVersion=1", null);
        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);

        var hub = server.Hub(token: null);
        var connect = () => hub.StartAsync();
        (await connect.Should().ThrowAsync<HttpRequestException>()).Which.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_bad_token_is_refused_too()
    {
        var hub = server.Hub("hd_not-a-real-token");
        var connect = () => hub.StartAsync();
        (await connect.Should().ThrowAsync<HttpRequestException>()).Which.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_agent_cannot_join_another_teams_group_or_view_its_tickets()
    {
        var owner = await server.AgentAsync("owner", "alpha");
        var outsider = await server.AgentAsync("outsider", "beta");
        var number = await owner.CreateTicketAsync("alpha");
        await using var hub = await outsider.ConnectAsync();

        var join = () => hub.InvokeAsync("JoinTeam", "alpha");
        (await join.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("not a member");
        var view = () => hub.InvokeAsync<JsonElement>("ViewTicket", number);
        (await view.Should().ThrowAsync<HubException>()).Which.Message.Should().Contain("not found");
        await hub.InvokeAsync("JoinTeam", "beta"); // its own team is fine

        var replay = await outsider.Http.GetAsync("/api/v1/console/events?stream=team:alpha&after=0");
        replay.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Team_events_reach_only_that_teams_agents_and_presence_only_the_tickets_viewers()
    {
        var gamma = await server.AgentAsync("gamma", "gamma");
        var gamma2 = await server.AgentAsync("gammatwo", "gamma");
        var delta = await server.AgentAsync("delta", "delta");
        await using var gammaHub = await gamma.ConnectAsync();
        await using var gamma2Hub = await gamma2.ConnectAsync();
        await using var deltaHub = await delta.ConnectAsync();
        var g = EventRecorder.On(gammaHub);
        var g2 = EventRecorder.On(gamma2Hub);
        var d = EventRecorder.On(deltaHub);

        var gammaTicket = await gamma.CreateTicketAsync("gamma");
        var deltaTicket = await delta.CreateTicketAsync("delta");

        await Eventually.TrueAsync(() => g.For("team:gamma").Count == 1 && d.For("team:delta").Count == 1, because: "each team's created event");
        g.Events.Should().OnlyContain(e => e.GetProperty("ticket").GetInt32() == gammaTicket);
        d.Events.Should().OnlyContain(e => e.GetProperty("ticket").GetInt32() == deltaTicket);

        var viewers = await gammaHub.InvokeAsync<JsonElement>("ViewTicket", gammaTicket);
        viewers.EnumerateArray().Select(v => v.GetProperty("agentEmail").GetString()).Should().Equal(gamma.Email);
        await gamma2Hub.InvokeAsync<JsonElement>("ViewTicket", gammaTicket);
        await gamma2Hub.InvokeAsync("Typing", gammaTicket, true);
        var typing = await Eventually.ValueAsync(() => g.Presence.Select(p => (JsonElement?)p.Viewers).LastOrDefault(v =>
            v!.Value.EnumerateArray().Any(x => x.GetProperty("agentEmail").GetString() == gamma2.Email && x.GetProperty("typing").GetBoolean())), because: "gamma sees gamma2 typing");
        d.Presence.Should().BeEmpty("delta views nothing of gamma's");

        // A dropped connection's presence goes with it.
        await gamma2Hub.StopAsync();
        await Eventually.TrueAsync(() => g.Presence.LastOrDefault().Viewers.ValueKind == JsonValueKind.Array
            && g.Presence.Last().Viewers.EnumerateArray().All(x => x.GetProperty("agentEmail").GetString() != gamma2.Email), because: "gamma2 left");
        var presence = await gamma.GetAsync($"/api/v1/console/presence/{gammaTicket}");
        presence.EnumerateArray().Select(v => v.GetProperty("agentEmail").GetString()).Should().Equal(gamma.Email);
    }

    [Fact]
    public async Task Events_arrive_in_stream_order_with_consecutive_sequence_numbers()
    {
        var agent = await server.AgentAsync("orderly", "epsilon");
        await using var hub = await agent.ConnectAsync();
        var recorder = EventRecorder.On(hub);

        var number = await agent.CreateTicketAsync("epsilon");
        (await agent.PostAsync($"/api/v1/tickets/{number}/claim", new { })).EnsureSuccessStatusCode();
        (await agent.PostAsync($"/api/v1/tickets/{number}/replies", new { body = "On it." })).EnsureSuccessStatusCode();
        (await agent.PostAsync($"/api/v1/tickets/{number}/priority", new { priority = "high" })).EnsureSuccessStatusCode();
        (await agent.PostAsync($"/api/v1/tickets/{number}/status", new { status = "pending" })).EnsureSuccessStatusCode();

        var expected = new[] { "ticket.created", "ticket.assigned", "ticket.article", "ticket.priority", "ticket.status" };
        await Eventually.TrueAsync(() => recorder.For("team:epsilon").Count >= expected.Length, because: "all team events");
        var events = recorder.For("team:epsilon");
        events.Select(e => e.GetProperty("type").GetString()).Should().Equal(expected);
        events.Select(e => e.GetProperty("seq").GetInt64()).Should().Equal(1, 2, 3, 4, 5);
        events.Last().GetProperty("data").GetProperty("ticket").GetProperty("status").GetString().Should().Be("pending");
        // The claim also told the agent personally, on their own stream.
        await Eventually.TrueAsync(() => recorder.For($"agent:{agent.Email}").Count == 1, because: "assignment notification");
        recorder.For($"agent:{agent.Email}")[0].GetProperty("data").GetProperty("kind").GetString().Should().Be("assignment");
    }

    [Fact]
    public async Task After_a_reconnect_the_missed_events_are_replayed_once_and_in_order()
    {
        var agent = await server.AgentAsync("replay", "zeta");
        var number = await agent.CreateTicketAsync("zeta");

        await using (var first = await agent.ConnectAsync())
        {
            var hello = await first.InvokeAsync<JsonElement>("Hello");
            hello.GetProperty("streams").GetProperty("team:zeta").GetInt64().Should().Be(1);
        }
        // Offline: three changes happen.
        (await agent.PostAsync($"/api/v1/tickets/{number}/replies", new { body = "note", visibility = "internal" })).EnsureSuccessStatusCode();
        (await agent.PostAsync($"/api/v1/tickets/{number}/priority", new { priority = "urgent" })).EnsureSuccessStatusCode();
        (await agent.PostAsync($"/api/v1/tickets/{number}/tags", new { add = new[] { "vip" } })).EnsureSuccessStatusCode();

        await using var second = await agent.ConnectAsync();
        var live = EventRecorder.On(second);
        var head = (await second.InvokeAsync<JsonElement>("Hello")).GetProperty("streams").GetProperty("team:zeta").GetInt64();
        head.Should().Be(4);
        var missed = await agent.GetAsync("/api/v1/console/events?stream=team:zeta&after=1");
        missed.GetProperty("head").GetInt64().Should().Be(4);
        var events = missed.GetProperty("events").EnumerateArray().ToList();
        events.Select(e => e.GetProperty("seq").GetInt64()).Should().Equal(2, 3, 4);
        events.Select(e => e.GetProperty("type").GetString()).Should().Equal("ticket.article", "ticket.priority", "ticket.tags");
        events[1].GetProperty("data").GetProperty("ticket").GetProperty("priority").GetString().Should().Be("urgent");

        // A new live event continues the sequence right after the replayed ones: nothing lost, nothing twice.
        (await agent.PostAsync($"/api/v1/tickets/{number}/status", new { status = "open" })).EnsureSuccessStatusCode();
        await Eventually.TrueAsync(() => live.For("team:zeta").Count == 1, because: "live event after reconnect");
        live.For("team:zeta")[0].GetProperty("seq").GetInt64().Should().Be(5);
        (await agent.GetAsync("/api/v1/console/events?stream=team:zeta&after=4")).GetProperty("events").GetArrayLength().Should().Be(1);
    }

    [Fact]
    public async Task Countdown_reports_business_time_left_and_the_working_windows()
    {
        await server.Factory.UseBusinessHoursPolicyAsync();
        var agent = await server.AgentAsync("count", "theta");
        var number = await agent.CreateTicketAsync("theta");
        var page = await agent.GetAsync($"/api/v1/console/countdowns?number={number}");
        var c = page.GetProperty("countdowns")[0];
        c.GetProperty("metric").GetString().Should().Be("firstResponse");
        c.GetProperty("state").GetString().Should().Be("running");
        c.GetProperty("remainingMs").GetInt64().Should().Be(4 * 3600_000);
        var first = c.GetProperty("windows")[0];
        first.GetProperty("from").GetString().Should().Be("2026-03-02T08:00:00Z");
        first.GetProperty("to").GetString().Should().Be("2026-03-02T16:00:00Z");
        c.GetProperty("windows")[1].GetProperty("from").GetString().Should().Be("2026-03-03T08:00:00Z");
    }
}

/// <summary>Moves the clock, so it has a server of its own.</summary>
public sealed class ConsoleNotificationTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task Sla_notifications_arrive_on_the_team_stream_as_they_fire()
    {
        await server.Factory.UseBusinessHoursPolicyAsync();
        var agent = await server.AgentAsync("alerts", "eta");
        await using var hub = await agent.ConnectAsync();
        var recorder = EventRecorder.On(hub);
        var number = await agent.CreateTicketAsync("eta");

        // 3 h of the 4 h first-response target: the 75 % warning is due; the due-queue fires it.
        server.Factory.Clock.Advance(NodaTime.Duration.FromHours(3.1));
        (await agent.PostAsync($"/api/v1/tickets/{number}/tags", new { add = new[] { "nudge" } })).EnsureSuccessStatusCode();
        var warning = await Eventually.ValueAsync(() => recorder.For("team:eta").Select(e => (JsonElement?)e)
            .FirstOrDefault(e => e!.Value.GetProperty("type").GetString() == "notification"), TimeSpan.FromSeconds(15), "SLA warning notification");
        warning.GetProperty("data").GetProperty("kind").GetString().Should().Be("sla.warning");
        warning.GetProperty("ticket").GetInt32().Should().Be(number);
    }
}
