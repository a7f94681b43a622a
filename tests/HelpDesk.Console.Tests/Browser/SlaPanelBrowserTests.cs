using HelpDesk.Console.Tests.Infrastructure;
using NodaTime;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>The ticket view's SLA countdowns and progress bars. Moves the clock, so it has a server of its own.</summary>
public sealed class SlaPanelBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    [Fact]
    public async Task The_ticket_view_counts_down_each_running_clock_toward_its_target_says_late_without_a_minus_and_pause_in_words()
    {
        var server = host.Server;
        await server.Factory.UseBusinessHoursPolicyAsync(firstResponse: "PT1H", resolution: "PT24H");
        var agent = await server.AgentAsync("slapanel", "omega");
        var number = await agent.CreateTicketAsync("omega");
        // Monday 09:00 → 12:00 Berlin: first response 2 h past its 1 h target, resolution 3 h of 24 h.
        server.Factory.Clock.Advance(Duration.FromHours(3));

        var page = await host.SignInAsync(agent);
        await page.EvaluateAsync($"() => location.hash = '#/ticket/{number}'");
        var first = page.Locator("#sla .clock[data-metric=firstResponse]");
        var resolution = page.Locator("#sla .clock[data-metric=resolution]");
        await page.WaitForFunctionAsync("() => document.querySelector('#sla .clock[data-metric=resolution] .left')?.textContent.length > 0");

        (await first.Locator(".left").TextContentAsync()).Should().MatchRegex(@"^2h 0\dm late$").And.NotContain("-");
        (await first.GetAttributeAsync("class")).Should().Contain("late");
        (await first.Locator(".progress").GetAttributeAsync("aria-valuenow")).Should().Be("100");
        (await resolution.Locator(".left").TextContentAsync()).Should().MatchRegex(@"^2\dh \d\dm left$");
        (await resolution.Locator(".progress").GetAttributeAsync("aria-valuenow")).Should().BeOneOf("12", "13");
        var width = await resolution.Locator(".progress span").EvaluateAsync<double>("s => s.getBoundingClientRect().width / s.parentElement.getBoundingClientRect().width");
        width.Should().BeApproximately(0.125, 0.01, "the bar shows the share of the target used");
        // It ticks: business time is counting (Monday noon).
        var before = long.Parse((await resolution.GetAttributeAsync("data-remaining-ms"))!);
        await page.WaitForFunctionAsync($"() => +document.querySelector('#sla .clock[data-metric=resolution]').dataset.remainingMs < {before}");
        await BrowserHost.ScreenshotAsync(page, "ticket-sla-countdown");

        // Answered and pending: first response stops, resolution pauses — said in words, not a glyph.
        (await agent.PostAsync($"/api/v1/tickets/{number}/replies", new { body = "Looking into it." })).EnsureSuccessStatusCode();
        (await agent.PostAsync($"/api/v1/tickets/{number}/status", new { status = "pending" })).EnsureSuccessStatusCode();
        await page.WaitForFunctionAsync("() => document.querySelector('#sla .clock[data-metric=resolution] .left')?.textContent.startsWith('Paused')");
        (await page.Locator("#sla .clock[data-metric=firstResponse]").CountAsync()).Should().Be(0, "a stopped clock has no countdown");
        // The panel renders again when the SLA answer arrives after the status event: wait for the words, not one read.
        await page.WaitForFunctionAsync("() => document.querySelector('#sla .clock[data-metric=resolution]')?.textContent.includes('paused while the ticket waits')");
        await page.Context.CloseAsync();
    }
}
