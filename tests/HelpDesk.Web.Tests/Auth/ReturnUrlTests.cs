using System.Net;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace HelpDesk.Web.Tests.Auth;

/// <summary>One agent who signs in, on a host shared by a long table.</summary>
public sealed class SignInHost : IAsyncLifetime
{
    public HelpDeskFactory Factory { get; } = new();

    public async Task InitializeAsync() => await Factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

/// <summary>The return URL after sign-in, against OWASP's open-redirect tricks, through the real login form.</summary>
public sealed class ReturnUrlTests(SignInHost host) : IClassFixture<SignInHost>
{
    public static TheoryData<string> Hostile => new()
    {
        "//evil.example", "///evil.example", "////evil.example", "/\\evil.example", "\\\\evil.example", "\\/evil.example",
        "/\\/evil.example", "/%2f%2fevil.example", "/%2F/evil.example", "%2f%2fevil.example", "/%5cevil.example", "/%5Cevil.example",
        "/%252f%252fevil.example", "/%25252f%25252fevil.example", "/%255cevil.example",
        "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example",
        "/\u0000/evil.example", "/%00/evil.example", "\t//evil.example", " //evil.example", "/ /evil.example".Replace(" ", "\u00a0"),
        "/\u200b/evil.example", "\u200b//evil.example",
        "https:evil.example", "https:/evil.example", "https://evil.example", "http:\\\\evil.example", "HTTPS://evil.example",
        "//evil.example@desk.test", "https://desk.test@evil.example", "//evil.example/%2e%2e",
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "%6Aavascript:alert(1)",
        "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "evil.example", "@evil.example", ".evil.example",
        "", "%2f", "/%2f", "%5c%5cevil.example",
    };

    public static TheoryData<string> Local => new() { "/", "/tickets/42", "/?view=queue#ticket-7", "/reports?from=2026-01-01&to=2026-02-01", "/search?q=a%20b" };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Refuses_a_return_url_that_a_browser_could_read_as_another_site(string returnUrl)
    {
        var response = await Browser().SignInAsync("dana@helpdesk.test", "correct-horse-battery", returnUrl);

        // Refused outright (a NUL in a form is a 400 before the endpoint) or sent to the console's root.
        if (response.StatusCode == HttpStatusCode.BadRequest) response.Headers.Location.Should().BeNull();
        else response.Headers.Location!.OriginalString.Should().Be("/");
    }

    [Theory]
    [MemberData(nameof(Local))]
    public async Task Returns_to_a_local_path_after_sign_in(string returnUrl)
    {
        var response = await Browser().SignInAsync("dana@helpdesk.test", "correct-horse-battery", returnUrl);

        response.Headers.Location!.OriginalString.Should().Be(returnUrl);
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Keeps_a_hostile_return_url_out_of_the_login_page(string returnUrl)
    {
        var page = await (await Browser().GetAsync($"/login?returnUrl={Uri.EscapeDataString(returnUrl)}")).Content.ReadAsStringAsync();

        page.Should().Contain("name=\"returnUrl\" value=\"/\"");
    }

    private HttpClient Browser() => host.Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
}
