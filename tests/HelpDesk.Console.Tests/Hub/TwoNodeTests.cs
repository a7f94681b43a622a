using System.Text.Json;
using HelpDesk.Application.AgentConsole;
using HelpDesk.Console.Tests.Infrastructure;
using HelpDesk.Domain.Agents;
using Agent = HelpDesk.Domain.Agents.Agent;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Console.Tests.Hub;

/// <summary>Two app nodes on one database: presence and replay hold no state that works only inside one process.</summary>
public sealed class TwoNodeTests : IAsyncLifetime
{
    private readonly ConsoleServer _one = new();
    private ConsoleServer _two = null!;

    public async Task InitializeAsync()
    {
        await _one.InitializeAsync();
        _two = ConsoleServer.SharingDatabaseWith(_one);
        await _two.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _two.DisposeAsync();
        await _one.DisposeAsync();
    }

    [Fact]
    public async Task An_agent_on_one_node_sees_a_viewer_connected_to_the_other_node()
    {
        var ann = await _one.AgentAsync("nodeann", "sigma");
        var ben = await _one.AgentAsync("nodeben", "sigma");
        var number = await ann.CreateTicketAsync("sigma");

        await using var annHub = await ann.ConnectAsync();            // node one
        await using var benHub = _two.Hub(ben.Token);                 // node two
        await benHub.StartAsync();
        await annHub.InvokeAsync<JsonElement>("ViewTicket", number);
        var viewers = await benHub.InvokeAsync<JsonElement>("ViewTicket", number);

        viewers.EnumerateArray().Select(v => v.GetProperty("agentEmail").GetString()).Should().BeEquivalentTo([ann.Email, ben.Email]);
    }

    [Fact]
    public async Task Events_appended_by_either_node_share_one_gap_free_sequence_per_stream()
    {
        var agent = await _one.AgentAsync("nodeseq", "tau");
        var onTwo = new HttpClient { BaseAddress = _two.BaseAddress };
        onTwo.DefaultRequestHeaders.Authorization = agent.Http.DefaultRequestHeaders.Authorization;
        var number = await agent.CreateTicketAsync("tau");                                        // node one: seq 1
        var changes = Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? agent.Http : onTwo)
            .PostAsync($"/api/v1/tickets/{number}/tags", System.Net.Http.Json.JsonContent.Create(new { add = new[] { $"t{i}" } })));
        foreach (var response in await Task.WhenAll(changes))
            ((int)response.StatusCode).Should().BeOneOf(200, 409); // concurrent changes of one ticket may lose the version race

        var committed = (await agent.GetAsync($"/api/v1/tickets/{number}")).GetProperty("tags").GetArrayLength();
        var replay = await new TestAgent(agent.Email, agent.Token, onTwo, _two).GetAsync("/api/v1/console/events?stream=team:tau&after=0");
        replay.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64())
            .Should().Equal(Enumerable.Range(1, 1 + committed).Select(i => (long)i));
    }

    [Fact]
    public async Task Presence_of_a_connection_whose_heartbeat_stopped_expires()
    {
        var agent = await _one.AgentAsync("ghost", "upsilon");
        var number = await agent.CreateTicketAsync("upsilon");
        await using var scope = _one.Factory.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<ConsolePresenceStore>();
        var who = new Agent(Guid.NewGuid(), "dead@desk.test", "Dead Node", AgentRole.Agent, []);
        await store.ViewAsync("conn-on-a-dead-node", "dead-node", who, number, CancellationToken.None);
        (await store.OnTicketAsync(number, CancellationToken.None)).Should().ContainSingle();

        _one.Factory.Clock.Advance(ConsolePresenceStore.Ttl + Duration.FromSeconds(1));
        (await store.OnTicketAsync(number, CancellationToken.None)).Should().BeEmpty("an expired row no longer counts, even before a sweep");
        (await store.SweepAsync(CancellationToken.None)).Should().Equal(number);
        (await store.SweepAsync(CancellationToken.None)).Should().BeEmpty();
    }
}
