using System.Text.Json;
using HelpDesk.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using NodaTime;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>
/// The reports area against the real report APIs, with history made through the real API and the fake clock.
/// Moves the clock, so it has a server of its own.
/// </summary>
public sealed class ReportsLiveBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    private const string Berlin = "Europe/Berlin";
    private const string Period = "from=2026-03-02&to=2026-03-08";

    [Fact]
    public async Task A_lead_reviews_a_real_breach_acknowledges_it_and_sees_it_on_the_scorecards_and_dashboard()
    {
        var server = host.Server;
        await server.Factory.UseBusinessHoursPolicyAsync(firstResponse: "PT4H");
        var lead = await server.LeadAsync("lena", "chi");
        var dana = await server.AgentAsync("dana", "chi");
        var danaName = dana.Email.Split('@')[0];

        // Monday 09:00 Berlin: created, waits in the team for an hour; Dana claims it at 10:00 and answers at 14:00,
        // an hour after the 4 h first-response target ran out at 13:00. The team held 1 h of it, Dana 3 h.
        var number = await dana.CreateTicketAsync("chi", subject: "Printer <b>on fire</b>", priority: "high");
        var open = await dana.CreateTicketAsync("chi", subject: "Still waiting", customer: "li@example.test");
        server.Factory.Clock.Advance(Duration.FromHours(1));
        (await dana.PostAsync($"/api/v1/tickets/{number}/claim", new { })).EnsureSuccessStatusCode();
        server.Factory.Clock.Advance(Duration.FromHours(4));
        (await dana.PostAsync($"/api/v1/tickets/{number}/replies", new { body = "Sorry for the wait: fixed.", visibility = "public" })).EnsureSuccessStatusCode();
        (await dana.PostAsync($"/api/v1/tickets/{number}/status", new { status = "solved" })).EnsureSuccessStatusCode();

        var api = (await lead.GetAsync($"/api/v1/breaches?{Period}&team=chi&tz=Europe/Berlin")).GetProperty("items").EnumerateArray()
            .Single(b => b.GetProperty("ticketNumber").GetInt32() == number && b.GetProperty("metric").GetString() == "firstResponse");

        var page = await host.SignInAsync(lead, Berlin);
        await page.GotoAsync($"/#/reports/breaches?{Period}&team=chi");
        await page.WaitForSelectorAsync("#reports[data-loaded=breaches]");
        var item = page.Locator($"li.breach[data-ticket='{number}'][data-metric=firstResponse]");
        (await item.Locator(".subject").TextContentAsync()).Should().Be("Printer <b>on fire</b>");
        (await item.Locator("[data-field=target]").TextContentAsync()).Should().Be("Target 4h");
        (await item.Locator("[data-field=overrun]").TextContentAsync()).Should().Be("over by 1h");
        (await item.Locator(".attribution").TextContentAsync()).Should().Be($"Held by {danaName} (3h of 4h), Team chi (1h)");

        // The bar has the API's segments, each as wide as its share of the cycle's span.
        var segments = api.GetProperty("segments").EnumerateArray()
            .Select(s => (Kind: s.GetProperty("kind").GetString(), Ms: (s.GetProperty("to").GetDateTimeOffset() - s.GetProperty("from").GetDateTimeOffset()).TotalMilliseconds)).ToList();
        segments.Should().NotBeEmpty();
        segments.Select(s => s.Kind).Should().Contain("counting");
        var rects = item.Locator("svg.timeline rect.seg");
        (await rects.EvaluateAllAsync<string[]>("s => s.map(r => r.dataset.kind)")).Should().Equal(segments.Select(s => s.Kind));
        var bar = (await item.Locator("svg.timeline").BoundingBoxAsync())!;
        var span = segments.Sum(s => s.Ms);
        for (var i = 0; i < segments.Count; i++)
            ((double)(await rects.Nth(i).BoundingBoxAsync())!.Width).Should().BeApproximately(Math.Max(0.5 * bar.Width / 600, bar.Width * segments[i].Ms / span), 1.0);

        await item.Locator("button.ack-open").ClickAsync();
        await item.Locator("select.ack-category-select").SelectOptionAsync("staffing");
        await item.Locator("textarea.ack-note-input").FillAsync("Only Dana on shift <script>window.__pwned=1</script>");
        await item.Locator("button.ack-save").ClickAsync();
        await page.WaitForSelectorAsync($"li.breach.acked[data-ticket='{number}'][data-metric=firstResponse]");
        var acknowledged = (await lead.GetAsync($"/api/v1/breaches?{Period}&team=chi&tz=Europe/Berlin&acknowledged=true")).GetProperty("items").EnumerateArray()
            .Single(b => b.GetProperty("ticketNumber").GetInt32() == number);
        acknowledged.GetProperty("acknowledgement").GetProperty("category").GetString().Should().Be("staffing");

        // Acknowledged breaches stay listed, marked; the "no" filter leaves them out.
        await page.SelectOptionAsync("#r-ack", "true");
        await page.WaitForSelectorAsync($"li.breach.acked[data-ticket='{number}'] .ack-text");
        (await page.TextContentAsync($"li.breach.acked[data-ticket='{number}'] .ack-text")).Should().Contain("<script>");
        await BrowserHost.ScreenshotAsync(page, "reports-breaches-live");
        await page.SelectOptionAsync("#r-ack", "false");
        await page.WaitForSelectorAsync($"li.breach[data-ticket='{number}']", new PageWaitForSelectorOptions { State = WaitForSelectorState.Detached });
        (await page.EvaluateAsync<bool>("() => window.__pwned === undefined")).Should().BeTrue();

        // Scorecards: Dana solved one ticket and is charged with the breach.
        await page.GotoAsync($"/#/reports/scorecards?{Period}&team=chi");
        await page.WaitForSelectorAsync("#reports[data-loaded=scorecards]");
        var row = page.Locator("#scorecard-agents tbody tr").Filter(new LocatorFilterOptions { HasText = dana.Email });
        (await row.Locator("td[data-key=solved]").TextContentAsync()).Should().Be("1");
        (await row.Locator("td[data-key=breaches]").TextContentAsync()).Should().Be("1");
        (await row.Locator("td[data-key=frtMedian]").TextContentAsync()).Should().Be("5h");
        await BrowserHost.ScreenshotAsync(page, "reports-scorecards-live");

        // Dashboard: the charts draw what the metrics API answers.
        var metrics = await lead.GetAsync($"/api/v1/metrics?{Period}&team=chi&tz=Europe/Berlin");
        await page.GotoAsync($"/#/reports/dashboard?{Period}&team=chi");
        await page.WaitForSelectorAsync("#reports[data-loaded=dashboard]");
        var weeks = metrics.GetProperty("weekly").EnumerateArray().Select(w => w.GetProperty("weekStart").GetString()).ToList();
        weeks.Should().Contain("2026-03-02");
        (await page.Locator("#chart-weekly rect.column[data-series=firstResponse]").EvaluateAllAsync<string[]>("s => s.map(r => r.dataset.category)"))
            .Should().Equal(weeks.Where((_, i) => metrics.GetProperty("weekly")[i].GetProperty("firstResponse").GetProperty("rate").ValueKind == JsonValueKind.Number));
        var buckets = metrics.GetProperty("frtDistribution").EnumerateArray().Select(b => b.GetProperty("count").GetInt32().ToString()).ToList();
        buckets.Sum(int.Parse).Should().Be(1);
        (await page.Locator("#chart-frt rect.column").EvaluateAllAsync<string[]>("s => s.map(r => r.dataset.value)")).Should().Equal(buckets);
        var backlog = metrics.GetProperty("backlog");
        backlog.GetProperty("total").GetInt32().Should().Be(1, "ticket #{0} is still open", open);
        (await page.Locator("#chart-backlog g.part").EvaluateAllAsync<string[]>("s => s.map(g => g.dataset.key + '=' + g.dataset.value)"))
            .Should().BeEquivalentTo(backlog.GetProperty("bySlaState").EnumerateObject().Where(p => p.Value.GetInt32() > 0).Select(p => $"{p.Name}={p.Value.GetInt32()}"));
        (await page.TextContentAsync("[data-figure=backlog] .value")).Should().Be("1");
        await BrowserHost.ScreenshotAsync(page, "reports-dashboard-live");

        // The ticket number links to the ticket view.
        await page.GotoAsync($"/#/reports/breaches?{Period}&team=chi");
        await page.ClickAsync($"li.breach[data-ticket='{number}'] a.ticket-link");
        await page.WaitForFunctionAsync($"() => document.querySelector('#t-subject')?.textContent === '#{number} Printer <b>on fire</b>'");
        (await page.IsVisibleAsync("#reports")).Should().BeFalse();
        await page.Context.CloseAsync();
    }
}
