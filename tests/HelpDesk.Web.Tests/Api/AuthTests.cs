using System.Net;
using System.Net.Http.Json;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace HelpDesk.Web.Tests.Api;

public sealed class AuthTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();

    public async Task InitializeAsync() => await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private HttpClient Browser() => _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static Task<HttpResponseMessage> LoginAsync(HttpClient browser, string password) =>
        browser.SignInAsync("dana@helpdesk.test", password);

    [Fact]
    public async Task Anonymous_visitors_of_the_console_are_sent_to_the_login_page()
    {
        var response = await Browser().GetAsync("/");
        response.StatusCode.Should().Be(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().Should().StartWith("/login");
    }

    [Fact]
    public async Task Signing_in_with_the_password_gives_a_cookie_session()
    {
        var browser = Browser();

        var login = await LoginAsync(browser, "correct-horse-battery");

        login.StatusCode.Should().Be(HttpStatusCode.Redirect);
        login.Headers.Location!.ToString().Should().Be("/");
        var me = await (await browser.GetAsync("/api/v1/me")).JsonAsync();
        me.GetProperty("email").GetString().Should().Be("dana@helpdesk.test");
        me.GetProperty("csrfToken").GetString().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_wrong_password_does_not_sign_in()
    {
        var browser = Browser();

        var login = await LoginAsync(browser, "wrong-password!");

        login.Headers.Location!.ToString().Should().StartWith("/login?error=1");
        (await browser.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_login_post_without_the_antiforgery_token_is_refused()
    {
        var response = await Browser().PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = "dana@helpdesk.test", ["password"] = "correct-horse-battery",
        }));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Cookie_sessions_must_send_the_antiforgery_header_on_api_writes()
    {
        var browser = Browser();
        await LoginAsync(browser, "correct-horse-battery");
        var body = new { subject = "s", body = "b", requester = new { email = "c@example.test" }, team = "support" };

        var without = await browser.PostAsJsonAsync("/api/v1/tickets", body);
        without.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var csrf = (await (await browser.GetAsync("/api/v1/me")).JsonAsync()).GetProperty("csrfToken").GetString();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tickets") { Content = JsonContent.Create(body) };
        request.Headers.Add("X-CSRF-TOKEN", csrf);
        (await browser.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_login_page_never_redirects_off_site()
    {
        var response = await Browser().SignInAsync("dana@helpdesk.test", "correct-horse-battery", "//evil.example/phish");
        response.Headers.Location!.ToString().Should().Be("/");
    }
}
