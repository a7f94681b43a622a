using HelpDesk.Console.Tests.Infrastructure;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>Signing in, in a real Chromium: where the browser ends up.</summary>
public sealed class SignInBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    private static readonly string[] Hostile =
        ["//evil.example/", "/\\evil.example/", "\\\\evil.example", "/%2f%2fevil.example", "/%5cevil.example", "/\t/evil.example", "https:evil.example", "javascript:alert(1)"];

    [Fact]
    public async Task Signing_in_with_a_hostile_return_url_ends_on_our_origin()
    {
        var agent = await host.Server.AgentAsync("redirect", "omicron");
        foreach (var returnUrl in Hostile)
        {
            // As a phishing link would send it (the login page's field), and as a forged form would post it.
            foreach (var forged in new[] { false, true })
            {
                var page = await host.LoginPageAsync();
                await page.GotoAsync($"/login?returnUrl={Uri.EscapeDataString(returnUrl)}");
                if (forged) await page.EvalOnSelectorAsync("input[name=returnUrl]", "(e, v) => e.value = v", returnUrl);
                await BrowserHost.SubmitLoginAsync(page, agent.Email, "correct-horse-battery");
                await page.WaitForSelectorAsync("body[data-ready=true]");

                var landed = new Uri(page.Url);
                landed.GetLeftPart(UriPartial.Authority).Should().Be(host.Server.BaseAddress.GetLeftPart(UriPartial.Authority), $"{returnUrl} (forged: {forged})");
                landed.AbsolutePath.Should().Be("/");
                await page.Context.CloseAsync();
            }
        }
    }
}
