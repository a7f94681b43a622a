using System.Text.Json;
using HelpDesk.Console.Tests.Infrastructure;
using Microsoft.Playwright;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>
/// The reports area in Chromium. These tests serve the report APIs' answers from <see cref="ReportFixtures"/> (shaped
/// by the agreed contracts) so the drawings can be checked against known figures.
/// </summary>
public sealed class ReportsFixtureBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    private const string Berlin = "Europe/Berlin";

    [Fact]
    public async Task The_dashboard_draws_weekly_attainment_frt_distribution_and_backlog_in_proportion_to_the_figures()
    {
        var lead = await host.Server.LeadAsync("dash", "rho");
        var page = await host.SignInAsync(lead, Berlin);
        var requests = await ReportFixtures.ServeAsync(page, "/api/v1/metrics\\?", _ => ReportFixtures.Metrics());
        await page.GotoAsync("/#/reports/dashboard?from=2026-02-02&to=2026-03-01&team=rho");
        await page.WaitForSelectorAsync("#reports[data-loaded=dashboard]");

        var query = new Uri(requests.Single().Url).Query;
        query.Should().Contain("from=2026-02-02").And.Contain("to=2026-03-01").And.Contain("tz=Europe%2FBerlin").And.Contain("team=rho");

        // Weekly attainment: 4 weeks × 3 clocks, one week without first responses drawn as "–", heights ∝ rate on a 0–100 % axis.
        var weekly = await Bars(page, "#chart-weekly rect.column");
        weekly.Should().HaveCount(11);
        (await page.Locator("#chart-weekly text.na").CountAsync()).Should().Be(1);
        var unit = weekly.Single(b => b.Series == "firstResponse" && b.Category == "2026-02-02").Height; // rate 1.0
        unit.Should().BeGreaterThan(100);
        foreach (var b in weekly) b.Height.Should().BeApproximately(unit * b.Value, 1.0, $"{b.Series} {b.Category} at {b.Value}");
        (await page.Locator("#chart-weekly .y-axis text").AllTextContentsAsync()).Should().Equal("0%", "25%", "50%", "75%", "100%", "Within target");
        (await page.Locator("#chart-weekly .x-axis text").AllTextContentsAsync()).Should().HaveCount(5).And.Contain("Week starting");
        (await page.Locator("#chart-weekly .goal text").TextContentAsync()).Should().Be("90% goal");
        (await page.Locator("#chart-weekly svg > title").TextContentAsync()).Should().Be("SLA attainment per week");
        (await page.Locator("#chart-weekly .chart-legend li").AllTextContentsAsync()).Should().StartWith(["First response", "Next reply", "Resolution"]);
        (await page.Locator("#chart-weekly rect.column[data-series=nextReply][data-category='2026-02-09'] title").TextContentAsync())
            .Should().Be("Next reply, week of " + await page.EvaluateAsync<string>("() => new Date(2026, 1, 9).toLocaleDateString([], { day: 'numeric', month: 'short' })") + ": 100% (4 of 4 within target)");

        // FRT distribution: one bar per bucket, labelled with the bucket, heights ∝ count.
        var frt = await Bars(page, "#chart-frt rect.column");
        frt.Select(b => b.Value).Should().Equal(8, 4, 2, 1, 0);
        for (var i = 1; i < 4; i++) frt[i].Height.Should().BeApproximately(frt[0].Height * frt[i].Value / 8, 1.0);
        frt[4].Height.Should().Be(0);
        (await page.Locator("#chart-frt .x-axis text").AllTextContentsAsync()).Should().StartWith(["< 1h", "1–4h", "4–8h", "8–24h", "≥ 24h"]);

        // Backlog by SLA state: one bar split into widths ∝ the 20 open tickets.
        var parts = page.Locator("#chart-backlog g.part");
        (await parts.CountAsync()).Should().Be(5);
        var total = 0.0; var widths = new Dictionary<string, (double Width, int Value)>();
        for (var i = 0; i < 5; i++)
        {
            var box = (await parts.Nth(i).Locator("rect").BoundingBoxAsync())!;
            widths[(await parts.Nth(i).GetAttributeAsync("data-key"))!] = (box.Width, int.Parse((await parts.Nth(i).GetAttributeAsync("data-value"))!));
            total += box.Width;
        }
        widths.Keys.Should().Equal("breached", "atRisk", "onTrack", "paused", "noSla");
        foreach (var (key, (width, value)) in widths) width.Should().BeApproximately(total * value / 20, 1.0, key);
        (await page.Locator("#chart-backlog .chart-legend li").AllTextContentsAsync()).Should().Equal("Breached (3)", "At risk (2)", "On track (10)", "Paused (1)", "No SLA (4)");

        // Headline figures and the text fallback.
        (await page.TextContentAsync("[data-figure=fcr] .value")).Should().Be("40%");
        (await page.TextContentAsync("[data-figure=nps] .value")).Should().Be("+30");
        (await page.TextContentAsync("[data-figure=ces] .value")).Should().Be("5.5");
        (await page.Locator("#times tbody tr").First.Locator("td").AllTextContentsAsync()).Should().Equal("40", "30m", "2h", "1h 30m", "10h", "90% (36 of 40)");
        await page.ClickAsync("#chart-frt summary");
        (await page.Locator("#chart-frt details table tbody tr").CountAsync()).Should().Be(5);
        foreach (var id in new[] { "#chart-weekly svg", "#chart-frt svg", "#chart-backlog svg", ".headline" })
            (await page.Locator(id).BoundingBoxAsync())!.Height.Should().BeGreaterThan(20, id);
        await BrowserHost.ScreenshotAsync(page, "reports-dashboard");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_breach_review_draws_the_timeline_names_the_holders_and_an_acknowledgement_marks_the_breach()
    {
        var lead = await host.Server.LeadAsync("review", "sigma");
        var page = await host.SignInAsync(lead, Berlin);
        var list = await ReportFixtures.ServeAsync(page, "/api/v1/breaches\\?", _ => ReportFixtures.Page(ReportFixtures.Breach(4711, "Printer on fire")));
        var posted = new List<IRequest>();
        await page.RouteAsync("**/api/v1/breaches/4711/resolution/1/acknowledgement", async route =>
        {
            posted.Add(route.Request);
            var body = JsonSerializer.Deserialize<JsonElement>(route.Request.PostData!);
            var ack = new { category = body.GetProperty("category").GetString(), note = body.GetProperty("note").GetString(), by = "Lena Lead", at = "2026-02-12T09:00:00Z" };
            await route.FulfillAsync(new RouteFulfillOptions { ContentType = "application/json", Body = JsonSerializer.Serialize(ReportFixtures.Breach(4711, "Printer on fire", acknowledgement: ack), new JsonSerializerOptions(JsonSerializerDefaults.Web)) });
        });
        await page.GotoAsync("/#/reports/breaches?from=2026-02-01&to=2026-02-28");
        await page.WaitForSelectorAsync("#reports[data-loaded=breaches]");
        new Uri(list.Single().Url).Query.Should().Contain("tz=Europe%2FBerlin").And.Contain("from=2026-02-01").And.NotContain("acknowledged");

        var item = page.Locator("li.breach[data-ticket='4711']");
        (await item.Locator("a.ticket-link").GetAttributeAsync("href")).Should().Be("#/ticket/4711");
        (await item.Locator("[data-field=target]").TextContentAsync()).Should().Be("Target 4h");
        (await item.Locator("[data-field=overrun]").TextContentAsync()).Should().Be("over by 1h 10m");
        (await item.Locator(".attribution").TextContentAsync()).Should().Be("Held by Dana (3h 10m of 4h), Team support (50m)");

        // The bar: one rect per segment in its kind, widths ∝ duration over the 28 h from start to the last segment's end.
        var segs = item.Locator("svg.timeline rect.seg");
        (await segs.EvaluateAllAsync<string[]>("s => s.map(r => r.dataset.kind)")).Should().Equal("counting", "paused", "outside_hours", "counting", "stopped");
        var bar = (await item.Locator("svg.timeline").BoundingBoxAsync())!;
        bar.Width.Should().BeGreaterThan(400);
        var minutes = new[] { 190, 120, 1130, 120, 120 };
        for (var i = 0; i < 5; i++)
            ((double)(await segs.Nth(i).BoundingBoxAsync())!.Width).Should().BeApproximately(bar.Width * minutes[i] / 1680.0, 1.0, $"segment {i}");
        (await segs.Nth(1).Locator("title").TextContentAsync()).Should().StartWith("paused: ").And.EndWith("(2h)");
        (await item.Locator("svg.timeline").GetAttributeAsync("aria-label")).Should().StartWith("Timeline: counting ").And.Contain("; breached ");
        var mark = (await item.Locator("rect.breach-mark").BoundingBoxAsync())!;
        ((double)(mark.X - bar.X)).Should().BeApproximately(bar.Width * 1490 / 1680.0, 3.0, "the breach instant sits 50 minutes into the second counting segment");
        (await page.Locator(".chart-legend li").AllTextContentsAsync()).Should().Equal("counting", "outside hours", "paused", "stopped", "breach instant");
        await BrowserHost.ScreenshotAsync(page, "reports-breaches");

        (await item.Locator(".ack").TextContentAsync()).Should().Be("Acknowledge");
        await item.Locator("button.ack-open").ClickAsync();
        await item.Locator("select.ack-category-select").SelectOptionAsync("staffing");
        await item.Locator("textarea.ack-note-input").FillAsync("Dana was alone on the queue; rota fixed.");
        await item.Locator("button.ack-save").ClickAsync();
        await page.WaitForSelectorAsync("li.breach.acked[data-ticket='4711']");
        var sent = JsonSerializer.Deserialize<JsonElement>(posted.Single().PostData!);
        sent.GetProperty("category").GetString().Should().Be("staffing");
        sent.GetProperty("note").GetString().Should().Be("Dana was alone on the queue; rota fixed.");
        (await posted.Single().HeaderValueAsync("x-csrf-token")).Should().NotBeNullOrEmpty();
        (await page.TextContentAsync("li.breach.acked .ack-category")).Should().Be("staffing");
        (await page.TextContentAsync("li.breach.acked .ack-text")).Should().Contain("rota fixed");
        await BrowserHost.ScreenshotAsync(page, "reports-breach-acknowledged");

        // The filter asks the API for unacknowledged breaches only.
        await page.SelectOptionAsync("#r-ack", "false");
        await Eventually.TrueAsync(() => { lock (list) return list.Count == 2; }, because: "a second request for the filtered list");
        new Uri(list[1].Url).Query.Should().Contain("acknowledged=false");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Scorecards_render_every_agent_and_team_and_sort_by_the_clicked_column_with_no_data_last()
    {
        var lead = await host.Server.LeadAsync("cards", "tau");
        var page = await host.SignInAsync(lead, Berlin);
        await ReportFixtures.ServeAsync(page, "/api/v1/scorecards\\?", _ => ReportFixtures.Scorecards());
        await page.GotoAsync("/#/reports/scorecards?from=2026-02-02&to=2026-03-01");
        await page.WaitForSelectorAsync("#reports[data-loaded=scorecards]");

        async Task<string[]> Names() => (await page.Locator("#scorecard-agents tbody th span").AllTextContentsAsync()).ToArray();
        (await Names()).Should().Equal("Ben", "Ann", ReportFixtures.Script); // most solved first
        var ben = page.Locator("#scorecard-agents tbody tr").First.Locator("td");
        (await ben.AllTextContentsAsync()).Should().Equal("12", "1h", "2h", "10h", "20h", "25%", "75% (4)", "4");
        (await page.Locator("#scorecard-teams tbody td").AllTextContentsAsync()).Should().Equal("17", "45m", "1h 30m", "7h 30m", "15h", "35%", "75% (8)", "5");

        await page.ClickAsync("#scorecard-agents button[data-sort=solved]");
        (await Names()).Should().Equal(ReportFixtures.Script, "Ann", "Ben");
        (await page.GetAttributeAsync("#scorecard-agents th[data-key=solved]", "aria-sort")).Should().Be("ascending");
        await page.ClickAsync("#scorecard-agents button[data-sort=frtMedian]");
        (await Names()).Should().Equal("Ben", "Ann", ReportFixtures.Script); // slowest first, no data last
        await page.ClickAsync("#scorecard-agents button[data-sort=frtMedian]");
        (await Names()).Should().Equal("Ann", "Ben", ReportFixtures.Script); // fastest first, no data still last
        await page.ClickAsync("#scorecard-agents button[data-sort=fcr]");
        (await Names()).Should().Equal("Ann", "Ben", ReportFixtures.Script);
        await page.ClickAsync("#scorecard-agents button[data-sort=breaches]");
        (await Names()).Should().Equal("Ben", "Ann", ReportFixtures.Script);
        foreach (var row in await page.Locator("#scorecard-agents tbody tr").AllAsync())
            (await row.BoundingBoxAsync())!.Height.Should().BeGreaterThan(10);
        await BrowserHost.ScreenshotAsync(page, "reports-scorecards");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Script_payloads_in_subjects_and_names_are_shown_as_text_and_never_run()
    {
        var lead = await host.Server.LeadAsync("inert", "upsilon");
        var page = await host.SignInAsync(lead, Berlin);
        await ReportFixtures.ServeAsync(page, "/api/v1/breaches\\?", _ => ReportFixtures.Page(ReportFixtures.Breach(99, ReportFixtures.Script, agent: ReportFixtures.Script)));
        await ReportFixtures.ServeAsync(page, "/api/v1/scorecards\\?", _ => ReportFixtures.Scorecards());
        await page.GotoAsync("/#/reports/breaches?from=2026-02-01&to=2026-02-28");
        await page.WaitForSelectorAsync("#reports[data-loaded=breaches]");
        (await page.TextContentAsync("li.breach .subject")).Should().Be(ReportFixtures.Script);
        (await page.TextContentAsync("li.breach .attribution")).Should().StartWith($"Held by {ReportFixtures.Script} (3h 10m of 4h)");

        await page.GotoAsync("/#/reports/scorecards?from=2026-02-01&to=2026-02-28");
        await page.WaitForSelectorAsync("#reports[data-loaded=scorecards]");
        (await page.Locator("#scorecard-agents tbody th span").AllTextContentsAsync()).Should().Contain(ReportFixtures.Script);

        (await page.Locator("#reports img, #reports script").CountAsync()).Should().Be(0);
        (await page.EvaluateAsync<bool>("() => window.__pwned === undefined")).Should().BeTrue();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_agent_sees_only_their_own_scorecard()
    {
        var agent = await host.Server.AgentAsync("solo", "phi");
        var page = await host.SignInAsync(agent, Berlin);
        var seen = await ReportFixtures.ServeAsync(page, "/api/v1/(scorecards|metrics|breaches)\\?", _ => ReportFixtures.Scorecards());
        (await page.TextContentAsync("#nav-reports")).Should().Be("My scorecard");
        await page.GotoAsync("/#/reports/breaches");
        await page.WaitForSelectorAsync("#reports[data-loaded=scorecards]");
        (await page.Locator(".report-tabs").CountAsync()).Should().Be(0);
        (await page.Locator("#r-team").CountAsync()).Should().Be(0);
        (await page.Locator("#scorecard-teams").CountAsync()).Should().Be(0);
        (await page.TextContentAsync(".report-content")).Should().NotContain("null").And.NotContain("false");
        seen.Select(r => new Uri(r.Url).AbsolutePath).Should().Equal("/api/v1/scorecards");
        await page.Context.CloseAsync();
    }

    private sealed record Bar(string Series, string Category, double Value, double Height);

    private static async Task<List<Bar>> Bars(IPage page, string selector)
    {
        var bars = new List<Bar>();
        foreach (var r in await page.Locator(selector).AllAsync())
            bars.Add(new Bar((await r.GetAttributeAsync("data-series"))!, (await r.GetAttributeAsync("data-category"))!,
                double.Parse((await r.GetAttributeAsync("data-value"))!, System.Globalization.CultureInfo.InvariantCulture), (await r.BoundingBoxAsync())?.Height ?? 0));
        return bars;
    }
}
