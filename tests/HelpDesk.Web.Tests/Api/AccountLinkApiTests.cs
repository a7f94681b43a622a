using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using HelpDesk.Application.Mail;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Web.Tests.Api;

/// <summary>Invitations and password resets by mail (issue 14): a signed, expiring, single-use link through the outbox.</summary>
public sealed partial class AccountLinkApiTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new(settings: new Dictionary<string, string?> { ["HelpDesk:PublicBaseUrl"] = "https://desk.example.test" });
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _admin = await _factory.AgentClientAsync("alex@helpdesk.test", "admin", "support");
        (await _admin.PostAsJsonAsync("/api/v1/agents", new { email = "new@helpdesk.test", name = "New", role = "agent", teams = new[] { "support" } }))
            .EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    /// <summary>The link's token, read from the mail waiting in the outbox.</summary>
    private async Task<string> MailedTokenAsync()
    {
        await using var db = _factory.Database.NewContext();
        var mail = await db.Set<OutboxMail>().Where(m => m.To == "new@helpdesk.test").OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).FirstAsync();
        return LinkToken().Match(mail.BodyText).Groups[1].Value;
    }

    private Task<HttpResponseMessage> AcceptAsync(string token, string password = "my own long passphrase") =>
        _factory.CreateClient().PostAsJsonAsync("/api/v1/account-links/accept", new { token, password });

    private async Task<bool> SignsInAsync(string password)
    {
        var browser = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        return (await browser.SignInAsync("new@helpdesk.test", password)).Headers.Location!.ToString() == "/";
    }

    [Fact]
    public async Task An_invitation_link_sets_the_password_once()
    {
        (await _admin.PostAsync("/api/v1/agents/new@helpdesk.test/invite", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        var token = await MailedTokenAsync();
        token.Should().NotBeEmpty();

        (await AcceptAsync(token)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await SignsInAsync("my own long passphrase")).Should().BeTrue();

        var again = await AcceptAsync(token, "someone else's passphrase");
        again.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await again.JsonAsync()).GetProperty("code").GetString().Should().Be("link.invalid");
        (await SignsInAsync("someone else's passphrase")).Should().BeFalse();
        var audit = await (await _admin.GetAsync("/api/v1/audit-log?action=invite.&target=new@helpdesk.test")).JsonAsync();
        audit.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("action").GetString()).Should().Equal("invite.accepted", "invite.sent");
    }

    [Fact]
    public async Task An_invitation_link_expires_after_seven_days()
    {
        await _admin.PostAsync("/api/v1/agents/new@helpdesk.test/invite", null);
        var token = await MailedTokenAsync();

        _factory.Clock.Advance(Duration.FromDays(7));

        (await AcceptAsync(token)).StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await SignsInAsync("my own long passphrase")).Should().BeFalse();
    }

    [Fact]
    public async Task A_reset_link_replaces_the_earlier_one_and_refuses_a_common_password()
    {
        await _admin.PostAsync("/api/v1/agents/new@helpdesk.test/reset-password", null);
        var first = await MailedTokenAsync();
        _factory.Clock.Advance(Duration.FromMinutes(1));
        await _admin.PostAsync("/api/v1/agents/new@helpdesk.test/reset-password", null);
        var second = await MailedTokenAsync();

        (await AcceptAsync(first)).StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity, "a newer link replaced it");
        (await AcceptAsync(second, "password123")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await AcceptAsync(second)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Agents_cannot_send_links()
    {
        var dana = await _factory.AgentClientAsync("dana@helpdesk.test", "lead", "support");
        (await dana.PostAsync("/api/v1/agents/new@helpdesk.test/invite", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await dana.PostAsync("/api/v1/agents/new@helpdesk.test/reset-password", null)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [GeneratedRegex(@"/set-password\?token=(\S+)")]
    private static partial Regex LinkToken();
}
