using HelpDesk.Console.Tests.Infrastructure;
using NodaTime;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>The queue's SLA countdown chip against the SLA API. Moves the clock, so it has a server of its own.</summary>
public sealed class CountdownBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    [Fact]
    public async Task The_countdown_chip_shows_the_business_time_left_that_the_sla_api_reports_and_stops_while_paused()
    {
        var server = host.Server;
        await server.Factory.UseBusinessHoursPolicyAsync(firstResponse: "PT4H");
        var agent = await server.AgentAsync("clock", "omicron");
        var number = await agent.CreateTicketAsync("omicron");
        // Monday 09:00 → 12:15 Berlin: 3 h 15 min of the 4 h target counted (81 %: past the 75 % warning).
        server.Factory.Clock.Advance(Duration.FromMinutes(195));

        var sla = await agent.GetAsync($"/api/v1/tickets/{number}/sla");
        var first = sla.GetProperty("clocks").EnumerateArray().Single(c => c.GetProperty("metric").GetString() == "firstResponse");
        var remaining = Duration.FromTimeSpan(System.Xml.XmlConvert.ToTimeSpan(first.GetProperty("target").GetString()!)
            - System.Xml.XmlConvert.ToTimeSpan(first.GetProperty("counted").GetString()!));
        remaining.Should().Be(Duration.FromMinutes(45));

        var page = await host.SignInAsync(agent);
        var chip = page.Locator($"#q-{number} .chip");
        await page.WaitForSelectorAsync($"#q-{number} .chip.warning");
        var shownMs = long.Parse((await chip.GetAttributeAsync("data-remaining-ms"))!);
        // The browser ticks on by itself from the server's answer: never more than the API said, and only by the real seconds since.
        shownMs.Should().BeLessThanOrEqualTo((long)remaining.TotalMilliseconds).And.BeGreaterThan((long)remaining.TotalMilliseconds - 60_000);
        (await chip.TextContentAsync()).Should().BeOneOf("44m 59s", "44m 58s", "44m 57s", "44m 56s", "44m 55s", "45m 00s");
        await BrowserHost.ScreenshotAsync(page, "queue-countdown");

        // Pending pauses the resolution clock, but first response keeps counting; solve the wait by a reply, then pause.
        (await agent.PostAsync($"/api/v1/tickets/{number}/replies", new { body = "We are on it." })).EnsureSuccessStatusCode();
        (await agent.PostAsync($"/api/v1/tickets/{number}/status", new { status = "pending" })).EnsureSuccessStatusCode();
        await page.WaitForSelectorAsync($"#q-{number} .chip.paused");
        var pausedText = await chip.TextContentAsync();
        pausedText.Should().StartWith("paused ", "the state is said in words (no emoji font is needed, a screen reader reads it)");
        var pausedMs = await chip.GetAttributeAsync("data-remaining-ms");
        // A paused chip does not tick: two ticks later (the chip re-renders every second) it shows the same value.
        await page.WaitForFunctionAsync("() => { window.__ticks = (window.__ticks || 0) + 1; return window.__ticks > 3; }", null, new() { PollingInterval = 1000 });
        (await chip.GetAttributeAsync("data-remaining-ms")).Should().Be(pausedMs);
        await page.Context.CloseAsync();
    }
}
