using System.Text.Json;
using HelpDesk.Console.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace HelpDesk.Console.Tests.Hub;

/// <summary>
/// Two app nodes on one database and one Redis (HelpDesk:Redis): hub groups span the nodes, so a change made through
/// one node is pushed live to consoles connected to the other (without Redis they would only catch up by replay).
/// </summary>
public sealed class RedisBackplaneTests : IAsyncLifetime
{
    private RedisServer _redis = null!;
    private ConsoleServer _one = null!;
    private ConsoleServer _two = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _one = ConsoleServer.WithRedis(_redis.ConnectionString);
        await _one.InitializeAsync();
        _two = ConsoleServer.SharingDatabaseWith(_one, _redis.ConnectionString);
        await _two.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _two.DisposeAsync();
        await _one.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_change_made_through_one_node_is_pushed_live_to_a_console_connected_to_the_other()
    {
        var agent = await _one.AgentAsync("backplane", "phi");
        await using var onTwo = _two.Hub(agent.Token);
        var received = EventRecorder.On(onTwo);
        await onTwo.StartAsync();
        await onTwo.InvokeAsync<JsonElement>("Hello");

        var number = await agent.CreateTicketAsync("phi"); // through node one's API
        (await agent.PostAsync($"/api/v1/tickets/{number}/priority", new { priority = "urgent" })).EnsureSuccessStatusCode();

        await Eventually.TrueAsync(() => received.For("team:phi").Count == 2, because: "both events pushed across the backplane");
        received.For("team:phi").Select(e => (e.GetProperty("seq").GetInt64(), e.GetProperty("type").GetString()))
            .Should().Equal((1L, "ticket.created"), (2L, "ticket.priority"));
    }

    [Fact]
    public async Task A_viewer_on_one_node_is_shown_live_to_an_agent_on_the_other()
    {
        var ann = await _one.AgentAsync("redisann", "chi");
        var ben = await _one.AgentAsync("redisben", "chi");
        var number = await ann.CreateTicketAsync("chi");
        await using var benOnTwo = _two.Hub(ben.Token);
        var seen = EventRecorder.On(benOnTwo);
        await benOnTwo.StartAsync();
        await benOnTwo.InvokeAsync<JsonElement>("ViewTicket", number);

        await using var annOnOne = await ann.ConnectAsync();
        await annOnOne.InvokeAsync<JsonElement>("ViewTicket", number);

        await Eventually.TrueAsync(() => seen.Presence.Any(p => p.Ticket == number && p.Viewers.EnumerateArray().Any(v => v.GetProperty("agentEmail").GetString() == ann.Email)),
            because: "Ann's presence pushed to Ben's node");
    }
}
