using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Application.Persistence;
using HelpDesk.Cluster.Tests.Infrastructure;
using HelpDesk.Testing;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Cluster.Tests;

/// <summary>
/// The crash an <c>Idempotency-Key</c> exists for: the server is killed (-9) after the ticket was committed and before the
/// client got an answer; the client's retry against the restarted server gets the first answer, not a second ticket.
/// </summary>
public sealed class IdempotentWriteCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_creation_killed_between_commit_and_response_is_replayed_by_the_restarted_server_without_a_second_ticket()
    {
        await using var database = TestDatabase.Create("hd-idem-crash");
        var settings = new Dictionary<string, string?>(database.Settings.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value)))
        {
            ["HelpDesk:SeedDemo"] = "false",
        };
        await DeskCluster.CliAsync(settings, "agents", "add", "--email", DeskCluster.AdminEmail, "--name", "Admin", "--role", "admin");
        var token = (await DeskCluster.CliAsync(settings, "tokens", "create", "--email", DeskCluster.AdminEmail)).Trim();
        var ticket = new
        {
            subject = "Crash me", body = "Committed, never answered.", requester = new { email = "customer@example.test" }, team = DeskCluster.Team,
        };
        HttpRequestMessage Create()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tickets") { Content = JsonContent.Create(ticket) };
            request.Headers.Add("Idempotency-Key", "crash-1");
            return request;
        }

        var hooked = new Dictionary<string, string?>(settings)
        {
            ["DOTNET_STARTUP_HOOKS"] = Path.Combine(AppContext.BaseDirectory, "HelpDesk.Testing.dll"),
            [StartupHook.Variable] = "IdempotencyRecords",
        };
        await using (var doomed = HelpDeskNode.Start("doomed", hooked))
        {
            await doomed.WaitHealthyAsync();
            using var api = doomed.Client(token);
            (await api.PostAsJsonAsync("/api/v1/teams", new { name = DeskCluster.Team, displayName = "Support" })).EnsureSuccessStatusCode();

            var crashed = async () => await api.SendAsync(Create());

            await crashed.Should().ThrowAsync<HttpRequestException>("the process died after the commit, before it answered");
            await Eventually.UntilAsync(() => Task.FromResult(!doomed.IsRunning), "the killed node to be gone");
            output.WriteLine(doomed.LogTail(5));
            doomed.LogTail().Should().Contain("kill-after-commit");
        }
        await using (var db = database.NewContext())
        {
            (await db.Tickets.CountAsync()).Should().Be(1, "the ticket was committed before the kill");
            (await db.Set<IdempotencyRecord>().CountAsync()).Should().Be(1, "its answer was committed with it");
        }

        await using var restarted = HelpDeskNode.Start("restarted", settings);
        await restarted.WaitHealthyAsync();
        using var retryClient = restarted.Client(token);
        var retry = await retryClient.SendAsync(Create());

        retry.StatusCode.Should().Be(HttpStatusCode.Created);
        retry.Headers.GetValues("Idempotent-Replayed").Should().Equal("true");
        var answered = (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt32();
        await using (var db = database.NewContext())
        {
            (await db.Tickets.Select(t => t.Number).ToListAsync()).Should().Equal(answered);
        }
    }
}
