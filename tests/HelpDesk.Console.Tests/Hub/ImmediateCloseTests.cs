using System.Net;
using System.Net.Http.Json;
using HelpDesk.Application.Auth;
using HelpDesk.Application.Persistence;
using HelpDesk.Console.Tests.Infrastructure;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Console.Tests.Hub;

/// <summary>A node whose credential sweep is switched off, so only the revoking path itself can close a connection.</summary>
public sealed class NoSweepServer : IAsyncLifetime
{
    public ConsoleServer Server { get; } = ConsoleServer.WithSettings(new Dictionary<string, string?> { ["HelpDesk:Console:CredentialSweepSeconds"] = "0" });
    public Task InitializeAsync() => Server.InitializeAsync();
    public Task DisposeAsync() => Server.DisposeAsync();
}

/// <summary>
/// Ending a credential closes its open console connections at once on the node that ends it, through
/// <see cref="Sessions.CloseConnections"/>, not at the next credential sweep (switched off here).
/// </summary>
public sealed class ImmediateCloseTests(NoSweepServer fixture) : IClassFixture<NoSweepServer>
{
    private readonly ConsoleServer _server = fixture.Server;

    private static TaskCompletionSource ClosedOf(HubConnection hub)
    {
        var closed = new TaskCompletionSource();
        hub.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        return closed;
    }

    [Fact]
    public async Task Signing_out_closes_the_sessions_connection_without_waiting_for_a_sweep()
    {
        var agent = await _server.AgentAsync("signout", "omega");
        var jar = new CookieContainer();
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false }) { BaseAddress = _server.BaseAddress };
        await browser.SignInAsync(agent.Email, "correct-horse-battery");
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "/hubs/console"), o => o.Cookies = jar).Build();
        var closed = ClosedOf(hub);
        await hub.StartAsync();
        await hub.InvokeAsync<System.Text.Json.JsonElement>("Hello");

        var csrf = (await (await browser.GetAsync("/api/v1/me")).JsonAsync()).GetProperty("csrfToken").GetString()!;
        await browser.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = csrf }));

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Setting_a_password_through_a_mailed_link_closes_the_agents_console_connections_without_waiting_for_a_sweep()
    {
        var agent = await _server.AgentAsync("linked", "omega");
        var jar = new CookieContainer();
        var browser = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false }) { BaseAddress = _server.BaseAddress };
        await browser.SignInAsync(agent.Email, "correct-horse-battery");
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(_server.BaseAddress, "/hubs/console"), o => o.Cookies = jar).Build();
        var closed = ClosedOf(hub);
        await hub.StartAsync();
        await hub.InvokeAsync<System.Text.Json.JsonElement>("Hello");

        // A reset link as the mail carries it (the mail itself is AccountLinkApiTests' subject).
        var token = Credentials.NewSecret();
        await using (var scope = _server.Factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
            var now = NodaTime.SystemClock.Instance.GetCurrentInstant();
            db.AccountLinks.Add(new AccountLink
            {
                Id = Guid.NewGuid(), AgentId = await db.Agents.Where(a => a.Email == agent.Email).Select(a => a.Id).SingleAsync(),
                Purpose = AccountLinkPurpose.Reset, TokenHash = Credentials.HashToken(token), CreatedAt = now, ExpiresAt = now + NodaTime.Duration.FromDays(1),
            });
            await db.SaveChangesAsync();
        }
        using var anonymous = new HttpClient { BaseAddress = _server.BaseAddress };
        (await anonymous.PostAsJsonAsync("/api/v1/account-links/accept", new { token, password = "a brand new passphrase" })).EnsureSuccessStatusCode();

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_revocation_hook_closes_a_revoked_tokens_and_a_deactivated_agents_connections_and_no_others()
    {
        var revoked = await _server.AgentAsync("hook-token", "omega");
        var leaver = await _server.AgentAsync("hook-agent", "omega");
        var bystander = await _server.AgentAsync("hook-bystander", "omega");
        await using var revokedHub = await revoked.ConnectAsync();
        await using var leaverHub = await leaver.ConnectAsync();
        await using var bystanderHub = await bystander.ConnectAsync();
        var (revokedClosed, leaverClosed) = (ClosedOf(revokedHub), ClosedOf(leaverHub));

        // What the token-revocation and deactivation endpoints do: commit, then call the hook.
        await using var scope = _server.Factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        var tokenId = await db.ApiTokens.Where(t => t.AgentId == db.Agents.Single(a => a.Email == revoked.Email).Id).Select(t => t.Id).SingleAsync();
        var leaverId = await db.Agents.Where(a => a.Email == leaver.Email).Select(a => a.Id).SingleAsync();
        await db.ApiTokens.Where(t => t.Id == tokenId).ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, NodaTime.SystemClock.Instance.GetCurrentInstant()));
        await db.Agents.Where(a => a.Id == leaverId).ExecuteUpdateAsync(s => s.SetProperty(a => a.IsActive, false));
        var sessions = scope.ServiceProvider.GetRequiredService<Sessions>();

        sessions.CloseConnections(tokenId: tokenId).Should().Be(1);
        sessions.CloseConnections(agentId: leaverId).Should().Be(1);

        await Task.WhenAll(revokedClosed.Task, leaverClosed.Task).WaitAsync(TimeSpan.FromSeconds(10));
        bystanderHub.State.Should().Be(HubConnectionState.Connected);
    }
}
