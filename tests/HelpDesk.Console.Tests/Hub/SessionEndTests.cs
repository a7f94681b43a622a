using System.Net;
using HelpDesk.Application.Persistence;
using HelpDesk.Console.Tests.Infrastructure;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Console.Tests.Hub;

/// <summary>Sessions end when they must: sign-out, token revocation and deactivation, over real HTTP and a real SignalR client.</summary>
public sealed class SessionEndTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    private const string AuthCookie = "helpdesk.auth";

    /// <summary>A browser-like client signed in through the login form, with its cookie jar.</summary>
    private async Task<(HttpClient Http, CookieContainer Jar)> SignedInAsync(TestAgent agent)
    {
        var jar = new CookieContainer();
        var http = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        (await http.SignInAsync(agent.Email, "correct-horse-battery")).Headers.Location!.OriginalString.Should().Be("/");
        return (http, jar);
    }

    /// <summary>Another client that only has a copy of the auth cookie.</summary>
    private HttpClient Copy(CookieContainer jar)
    {
        var http = new HttpClient { BaseAddress = server.BaseAddress };
        http.DefaultRequestHeaders.Add("Cookie", $"{AuthCookie}={jar.GetCookies(server.BaseAddress)[AuthCookie]!.Value}");
        return http;
    }

    private static async Task<HttpResponseMessage> SignOutAsync(HttpClient http, bool withToken = true)
    {
        var csrf = (await (await http.GetAsync("/api/v1/me")).JsonAsync()).GetProperty("csrfToken").GetString()!;
        return await http.PostAsync("/logout", new FormUrlEncodedContent(withToken ? new Dictionary<string, string> { ["__RequestVerificationToken"] = csrf } : []));
    }

    private HubConnection CookieHub(CookieContainer jar) => new HubConnectionBuilder()
        .WithUrl(new Uri(server.BaseAddress, "/hubs/console"), o => o.Cookies = jar)
        .Build();

    private async Task DbAsync(Func<HelpDeskDbContext, Task> change)
    {
        await using var scope = server.Factory.Services.CreateAsyncScope();
        await change(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>());
    }

    [Fact]
    public async Task A_copied_cookie_stops_working_at_sign_out()
    {
        var (browser, jar) = await SignedInAsync(await server.AgentAsync("copied", "sigma"));
        var copy = Copy(jar);
        (await copy.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await SignOutAsync(browser)).Headers.Location!.OriginalString.Should().Be("/login");

        (await copy.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await copy.GetAsync("/api/v1/tickets")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Refuses_a_sign_out_without_the_antiforgery_token()
    {
        var (browser, jar) = await SignedInAsync(await server.AgentAsync("forged", "sigma"));

        var response = await SignOutAsync(browser, withToken: false);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await Copy(jar).GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.OK, "the session goes on");
    }

    [Fact]
    public async Task Signing_out_closes_the_sessions_open_console_connection()
    {
        var (browser, jar) = await SignedInAsync(await server.AgentAsync("open", "sigma"));
        await using var hub = CookieHub(jar);
        var closed = new TaskCompletionSource();
        hub.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await hub.StartAsync();
        await hub.InvokeAsync<System.Text.Json.JsonElement>("Hello");

        await SignOutAsync(browser);

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var again = () => CookieHub(jar).StartAsync();
        (await again.Should().ThrowAsync<HttpRequestException>()).Which.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Revoking_a_token_refuses_it_at_once_and_closes_its_open_connection()
    {
        var agent = await server.AgentAsync("revoked", "tau");
        var colleague = await server.AgentAsync("colleague", "tau");
        await using var hub = await agent.ConnectAsync();
        var events = EventRecorder.On(hub);
        var closed = new TaskCompletionSource();
        hub.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        await DbAsync(db => db.ApiTokens.Where(t => t.AgentId == db.Agents.Single(a => a.Email == agent.Email).Id)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.RevokedAt, NodaTime.SystemClock.Instance.GetCurrentInstant())));

        (await agent.Http.GetAsync("/api/v1/tickets")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await colleague.CreateTicketAsync("tau");
        await using var colleagueHub = await colleague.ConnectAsync();
        events.Events.Should().BeEmpty("a closed connection receives no pushes");
    }

    [Fact]
    public async Task Deactivating_an_agent_ends_its_cookie_session_and_open_connection()
    {
        var agent = await server.AgentAsync("leaver", "upsilon");
        var (browser, jar) = await SignedInAsync(agent);
        await using var hub = CookieHub(jar);
        var closed = new TaskCompletionSource();
        hub.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        await hub.StartAsync();

        await DbAsync(db => db.Agents.Where(a => a.Email == agent.Email).ExecuteUpdateAsync(s => s.SetProperty(a => a.IsActive, false)));

        (await browser.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task The_hub_refuses_a_page_of_another_origin()
    {
        var agent = await server.AgentAsync("origin", "phi");
        HttpRequestMessage Negotiate(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/hubs/console/negotiate?negotiateVersion=1");
            request.Headers.Add("Origin", origin);
            return request;
        }

        (await agent.Http.SendAsync(Negotiate("https://evil.example"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await agent.Http.SendAsync(Negotiate(server.BaseAddress.GetLeftPart(UriPartial.Authority)))).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
