using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using HelpDesk.Application.Persistence;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Web.Tests.Api;

/// <summary>Accounts with a life cycle (issue 14): own password change, forced change, tokens, sessions, deactivation.</summary>
public sealed class AccountApiTests : IAsyncLifetime
{
    private const string Password = "correct-horse-battery";
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _admin = null!;

    public async Task InitializeAsync() => _admin = await _factory.AgentClientAsync("alex@helpdesk.test", "admin", "support");

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private HttpClient Browser() => _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A browser signed in as <paramref name="email"/>, sending the antiforgery header as the console does.</summary>
    private async Task<HttpClient> SignedInAsync(string email, string password = Password)
    {
        var browser = Browser();
        (await browser.SignInAsync(email, password)).Headers.Location!.ToString().Should().Be("/");
        var me = await (await browser.GetAsync("/api/v1/me")).JsonAsync();
        browser.DefaultRequestHeaders.Add("X-CSRF-TOKEN", me.GetProperty("csrfToken").GetString());
        return browser;
    }

    private static Task<HttpResponseMessage> ChangeAsync(HttpClient client, string current, string next) =>
        client.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = current, newPassword = next });

    private async Task<T> DbAsync<T>(Func<HelpDeskDbContext, Task<T>> read)
    {
        await using var db = _factory.Database.NewContext();
        return await read(db);
    }

    [Fact]
    public async Task A_changed_password_replaces_the_old_one()
    {
        await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        var dana = await SignedInAsync("dana@helpdesk.test");

        (await ChangeAsync(dana, Password, "a new and long passphrase")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await Browser().SignInAsync("dana@helpdesk.test", Password)).Headers.Location!.ToString().Should().StartWith("/login?error");
        (await Browser().SignInAsync("dana@helpdesk.test", "a new and long passphrase")).Headers.Location!.ToString().Should().Be("/");
    }

    [Theory]
    [InlineData("short", "newPassword")]
    [InlineData("password1234", "newPassword")]
    [InlineData("Superman123", "newPassword")]
    public async Task Rejects_a_new_password_that_is_short_or_commonly_used(string next, string field)
    {
        var dana = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        var response = await ChangeAsync(dana, Password, next);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).Should().Equal(field);
    }

    [Fact]
    public async Task Rejects_a_password_change_with_the_wrong_current_password()
    {
        var dana = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        var response = await ChangeAsync(dana, "not my password", "a new and long passphrase");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).Should().Equal("currentPassword");
    }

    [Fact]
    public async Task A_password_an_admin_chose_must_be_changed_before_anything_else()
    {
        (await _admin.PostAsJsonAsync("/api/v1/agents", new { email = "new@helpdesk.test", name = "New", role = "agent", teams = new[] { "support" }, password = Password }))
            .StatusCode.Should().Be(HttpStatusCode.Created);
        var browser = await SignedInAsync("new@helpdesk.test");

        (await (await browser.GetAsync("/api/v1/me")).JsonAsync()).GetProperty("mustChangePassword").GetBoolean().Should().BeTrue();
        var refused = await browser.GetAsync("/api/v1/tickets");
        refused.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await refused.JsonAsync()).GetProperty("code").GetString().Should().Be("password.change_required");

        (await ChangeAsync(browser, Password, "my very own passphrase")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await browser.GetAsync("/api/v1/tickets")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await browser.GetAsync("/api/v1/me")).JsonAsync()).GetProperty("mustChangePassword").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task A_password_change_ends_the_other_sessions_but_not_this_one()
    {
        await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        var here = await SignedInAsync("dana@helpdesk.test");
        var elsewhere = await SignedInAsync("dana@helpdesk.test");
        (await (await here.GetAsync("/api/v1/me/sessions")).JsonAsync()).GetArrayLength().Should().Be(2);

        var changed = await (await ChangeAsync(here, Password, "a new and long passphrase")).JsonAsync();

        changed.GetProperty("sessionsEnded").GetInt32().Should().Be(1);
        (await elsewhere.GetAsync("/api/v1/tickets")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await here.GetAsync("/api/v1/tickets")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_every_session()
    {
        await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        var one = await SignedInAsync("dana@helpdesk.test");
        var two = await SignedInAsync("dana@helpdesk.test");
        var sessions = await (await one.GetAsync("/api/v1/me/sessions")).JsonAsync();
        sessions.EnumerateArray().Count(s => s.GetProperty("current").GetBoolean()).Should().Be(1);

        (await one.DeleteAsync("/api/v1/me/sessions")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await one.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await two.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Tokens_are_listed_without_their_secret_and_stop_at_once_when_revoked()
    {
        var dana = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        var issued = await (await _admin.PostAsJsonAsync("/api/v1/tokens", new { email = "dana@helpdesk.test", name = "ci" })).JsonAsync();
        var token = issued.GetProperty("token").GetString()!;
        var id = issued.GetProperty("id").GetGuid();
        var ci = _factory.CreateClient();
        ci.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await ci.GetAsync("/api/v1/tickets")).StatusCode.Should().Be(HttpStatusCode.OK);

        var listed = await (await _admin.GetAsync("/api/v1/tokens?email=dana@helpdesk.test")).Content.ReadAsStringAsync();
        listed.Should().Contain("\"ci\"").And.Contain("\"owner\":\"dana@helpdesk.test\"").And.NotContain(token).And.NotContain("hash", "no secret is shown");
        var own = await (await dana.GetAsync("/api/v1/tokens")).JsonAsync();
        own.EnumerateArray().Select(t => t.GetProperty("owner").GetString()).Should().OnlyContain(o => o == "dana@helpdesk.test");
        (await (await _admin.GetAsync("/api/v1/tokens")).JsonAsync()).EnumerateArray().Single(t => t.GetProperty("id").GetGuid() == id)
            .GetProperty("lastUsedAt").GetString().Should().NotBeNull();

        (await _admin.DeleteAsync($"/api/v1/tokens/{id}")).StatusCode.Should().Be(HttpStatusCode.OK);

        (await ci.GetAsync("/api/v1/tickets")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_agent_cannot_see_or_revoke_another_agents_token()
    {
        var dana = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        var adminTokens = await (await _admin.GetAsync("/api/v1/tokens?email=alex@helpdesk.test")).JsonAsync();
        var id = adminTokens[0].GetProperty("id").GetGuid();

        (await (await dana.GetAsync("/api/v1/tokens?email=alex@helpdesk.test")).JsonAsync()).GetArrayLength().Should().Be(0);
        (await dana.DeleteAsync($"/api/v1/tokens/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await _admin.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_expired_token_no_longer_authenticates()
    {
        var expiresAt = NodaTime.Text.InstantPattern.ExtendedIso.Format(_factory.Clock.GetCurrentInstant() + Duration.FromHours(1));
        var issued = await (await _admin.PostAsJsonAsync("/api/v1/tokens", new { email = "alex@helpdesk.test", name = "short", expiresAt })).JsonAsync();
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.GetProperty("token").GetString());
        (await client.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.OK);

        _factory.Clock.Advance(Duration.FromHours(1));

        (await client.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_tokens_last_use_is_written_at_most_once_a_minute()
    {
        Task<Instant?> LastUsedAsync() => DbAsync(db => db.ApiTokens.Where(t => t.Name == "test").Select(t => t.LastUsedAt).SingleAsync());
        await _admin.GetAsync("/api/v1/me");
        var first = await LastUsedAsync();
        first.Should().Be(_factory.Clock.GetCurrentInstant());

        _factory.Clock.Advance(Duration.FromSeconds(59));
        await _admin.GetAsync("/api/v1/me");
        (await LastUsedAsync()).Should().Be(first);

        _factory.Clock.Advance(Duration.FromSeconds(2));
        await _admin.GetAsync("/api/v1/me");
        (await LastUsedAsync()).Should().Be(_factory.Clock.GetCurrentInstant());
    }

    [Theory]
    [InlineData("unassign", null, null)]
    [InlineData("reassign", "bo@helpdesk.test", "bo@helpdesk.test")]
    public async Task Deactivation_ends_sessions_and_tokens_at_once_and_hands_the_tickets_back(string tickets, string? reassignTo, string? newAssignee)
    {
        var dana = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        await _factory.AgentClientAsync("bo@helpdesk.test", "agent", "support");
        var browser = await SignedInAsync("dana@helpdesk.test");
        var number = await dana.CreateTicketNumberAsync();
        (await dana.PostAsync($"/api/v1/tickets/{number}/claim", null)).EnsureSuccessStatusCode();
        var etag = (await _admin.GetAsync("/api/v1/agents/dana@helpdesk.test")).Headers.ETag!.Tag;

        var response = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/agents/dana@helpdesk.test/deactivate")
        {
            Content = JsonContent.Create(new { tickets, reassignTo }),
            Headers = { { "If-Match", etag } },
        });

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var done = await response.JsonAsync();
        done.GetProperty("sessionsEnded").GetInt32().Should().Be(1);
        done.GetProperty("tokensRevoked").GetInt32().Should().Be(1);
        (await dana.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await browser.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await DbAsync(db => db.ApiTokens.Join(db.Agents, t => t.AgentId, a => a.Id, (t, a) => new { t.RevokedAt, a.Email })
            .Where(x => x.Email == "dana@helpdesk.test").AllAsync(x => x.RevokedAt != null))).Should().BeTrue();
        var ticket = await (await _admin.GetAsync($"/api/v1/tickets/{number}")).JsonAsync();
        var assignee = ticket.GetProperty("assignee");
        (assignee.ValueKind == System.Text.Json.JsonValueKind.Null ? null : assignee.GetProperty("email").GetString()).Should().Be(newAssignee);
        (await (await _admin.GetAsync("/api/v1/agents/dana@helpdesk.test")).JsonAsync()).GetProperty("active").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task A_stale_deactivation_is_refused()
    {
        await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        var etag = (await _admin.GetAsync("/api/v1/agents/dana@helpdesk.test")).Headers.ETag!.Tag;
        (await _admin.PutAsJsonAsync("/api/v1/agents/dana@helpdesk.test", new { name = "Dana", role = "lead", teams = new[] { "support" } })).EnsureSuccessStatusCode();

        var response = await _admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/api/v1/agents/dana@helpdesk.test/deactivate")
        {
            Content = JsonContent.Create(new { tickets = "unassign" }),
            Headers = { { "If-Match", etag } },
        });

        response.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        (await (await _admin.GetAsync("/api/v1/agents/dana@helpdesk.test")).JsonAsync()).GetProperty("active").GetBoolean().Should().BeTrue();
    }
}
