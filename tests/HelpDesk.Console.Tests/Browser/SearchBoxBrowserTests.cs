using System.Text.Json;
using HelpDesk.Console.Tests.Infrastructure;
using Microsoft.Playwright;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>
/// The console's search box (shortcut /, results as you type, Enter or a click opens the ticket) against the contract of
/// <c>GET /api/v1/search?q=…&amp;page=…&amp;pageSize=…</c>: once with contract-shaped answers (chosen snippets, including
/// markup that must stay text), once against the real endpoint.
/// </summary>
public sealed class SearchBoxBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    private static object Result(int number, string subject, params (string Text, bool Match)[] snippet) => new
    {
        number, subject, status = "open", priority = "high", team = "kappa",
        requester = new { name = "Maria <b>Bold</b>", address = "maria@example.test" }, assignee = (string?)null,
        updatedAt = "2026-03-02T08:00:00Z", snippet = snippet.Select(s => new { text = s.Text, match = s.Match }),
    };

    [Fact]
    public async Task Search_results_appear_as_you_type_with_marked_matches_as_text_and_enter_opens_the_ticket()
    {
        var agent = await host.Server.AgentAsync("finder", "kappa");
        var number = await agent.CreateTicketAsync("kappa", subject: "Toner smudges on every page");
        var page = await host.SignInAsync(agent);
        var queries = new List<string>();
        await page.RouteAsync("**/api/v1/search?**", async route =>
        {
            var query = System.Web.HttpUtility.ParseQueryString(new Uri(route.Request.Url).Query);
            var q = query["q"]!;
            queries.Add(q);
            query["pageSize"].Should().Be("25");
            var items = q == "toner"
                ? new[] { Result(number, "Toner smudges on every page", ("Since Monday the ", false), ("toner", true), (" leaves <img src=x onerror=\"window.__pwned=1\"> marks", false)) }
                : [];
            await route.FulfillAsync(new RouteFulfillOptions
            {
                ContentType = "application/json",
                Body = JsonSerializer.Serialize(new { query = q, total = items.Length, totalExact = true, hasMore = false, page = 1, pageSize = 25, items }, new JsonSerializerOptions(JsonSerializerDefaults.Web)),
            });
        });

        await page.Keyboard.PressAsync("/");
        (await page.EvaluateAsync<string>("() => document.activeElement.id")).Should().Be("search", "/ focuses the search box");
        await page.Keyboard.TypeAsync("toner", new() { Delay = 40 });
        await page.WaitForSelectorAsync($"#s-{number}");
        queries.Should().Equal(["toner"], "typing is debounced: one request for the word, not one per key");
        (await page.Locator($"#s-{number} mark").AllTextContentsAsync()).Should().Equal("toner");
        (await page.TextContentAsync($"#s-{number} .s-snippet")).Should().Contain("<img src=x", "server text is shown as text");
        (await page.Locator("#search-results img, #search-results b").CountAsync()).Should().Be(0);
        (await page.EvaluateAsync<JsonElement>("() => window.__pwned ?? null")).ValueKind.Should().Be(JsonValueKind.Null);
        (await page.GetAttributeAsync($"#s-{number}", "aria-selected")).Should().Be("true");
        (await page.TextContentAsync("#search-status")).Should().Be("1 ticket matches “toner”");
        await BrowserHost.ScreenshotAsync(page, "search-results");

        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync($"() => document.querySelector('#t-subject').textContent.startsWith('#{number} ')");
        (await page.EvaluateAsync<string>("() => location.hash")).Should().Be($"#/ticket/{number}");
        (await page.IsHiddenAsync("#search-panel")).Should().BeTrue();

        await page.FillAsync("#search", "");
        await page.Keyboard.TypeAsync("zzyzx");
        await page.WaitForFunctionAsync("() => document.querySelector('#search-status').textContent === 'No tickets match “zzyzx”.'");
        (await page.Locator("#search-results li").CountAsync()).Should().Be(0);
        await BrowserHost.ScreenshotAsync(page, "search-empty");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Searching_a_word_from_a_customers_mail_finds_the_ticket_through_the_real_endpoint_and_a_click_opens_it()
    {
        var agent = await host.Server.AgentAsync("seeker", "lambda");
        var number = await agent.CreateTicketAsync("lambda", subject: "Strange noise", body: "The projector makes a whirring sound since Tuesday.");
        var page = await host.SignInAsync(agent);

        await page.ClickAsync("#search");
        await page.Keyboard.TypeAsync("whirring");
        await page.WaitForSelectorAsync($"#s-{number}");
        (await page.Locator($"#s-{number} mark").AllTextContentsAsync()).Should().Contain(t => t.Equals("whirring", StringComparison.OrdinalIgnoreCase));
        await BrowserHost.ScreenshotAsync(page, "search-live");
        await page.ClickAsync($"#s-{number}");
        await page.WaitForFunctionAsync($"() => document.querySelector('#t-subject').textContent.startsWith('#{number} ')");
        (await page.EvaluateAsync<string>("() => location.hash")).Should().Be($"#/ticket/{number}");
        await page.Context.CloseAsync();
    }
}
