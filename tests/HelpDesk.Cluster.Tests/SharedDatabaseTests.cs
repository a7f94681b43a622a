using System.Net;
using System.Text.Json;
using HelpDesk.Cluster.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Xunit.Sdk;

namespace HelpDesk.Cluster.Tests;

/// <summary>Three healthy nodes for the tests that kill none (started once for the class).</summary>
public sealed class HealthyCluster(IMessageSink sink) : IAsyncLifetime
{
    public DeskCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await DeskCluster.StartAsync(line => sink.OnMessage(new DiagnosticMessage(line)));

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Requests spread over three nodes behave as on one: the database decides races, Redis carries pushes.</summary>
public sealed class SharedDatabaseTests(HealthyCluster healthy) : IClassFixture<HealthyCluster>
{
    private readonly DeskCluster _cluster = healthy.Cluster;

    [Fact]
    public async Task Of_50_concurrent_claims_spread_over_three_nodes_exactly_one_wins_and_49_get_409()
    {
        using var admin = _cluster.Admin(0);
        var number = await admin.CreateTicketAsync("Claim me");
        var agents = new List<(string Email, HttpClient Api)>();
        for (var i = 0; i < 50; i++)
        {
            var email = $"claimer{i}@cluster.test";
            agents.Add((email, _cluster.Nodes[i % 3].Client(await _cluster.AgentTokenAsync(email, i % 3))));
        }

        using var start = new SemaphoreSlim(0);
        var claims = agents.Select(async a =>
        {
            await start.WaitAsync();
            return (a.Email, (await a.Api.PostAsync($"/api/v1/tickets/{number}/claim", null)).StatusCode);
        }).ToList();
        start.Release(agents.Count);
        var results = await Task.WhenAll(claims);

        results.Count(r => r.StatusCode == HttpStatusCode.OK).Should().Be(1);
        results.Count(r => r.StatusCode == HttpStatusCode.Conflict).Should().Be(49);
        var winner = results.Single(r => r.StatusCode == HttpStatusCode.OK).Email;
        var ticket = JsonDocument.Parse(await admin.GetStringAsync($"/api/v1/tickets/{number}")).RootElement;
        ticket.GetProperty("assignee").GetProperty("email").GetString().Should().Be(winner);
        foreach (var a in agents) a.Api.Dispose();
    }

    [Fact]
    public async Task A_change_made_through_node_A_reaches_a_console_connected_to_node_C()
    {
        var token = await _cluster.AgentTokenAsync("watcher@cluster.test");
        var events = new System.Collections.Concurrent.ConcurrentQueue<JsonElement>();
        await using var console = new HubConnectionBuilder()
            .WithUrl(new Uri(_cluster.Nodes[2].BaseAddress, "/hubs/console"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .Build();
        console.On<JsonElement>("Event", e => events.Enqueue(e));
        await console.StartAsync();
        await console.InvokeAsync<JsonElement>("Hello");

        using var throughA = _cluster.Admin(0);
        var number = await throughA.CreateTicketAsync("Seen everywhere");

        await Eventually.UntilAsync(() => Task.FromResult(events.Any(e => e.GetProperty("type").GetString() == "ticket.created" && e.GetProperty("ticket").GetInt32() == number)),
            "the ticket.created event on node C's console");
        events.Should().Contain(e => e.GetProperty("stream").GetString() == $"team:{DeskCluster.Team}");
    }
}
