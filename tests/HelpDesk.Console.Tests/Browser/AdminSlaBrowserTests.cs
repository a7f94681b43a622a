using HelpDesk.Console.Tests.Infrastructure;
using Microsoft.Playwright;
using NodaTime;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>The SLA policies admin page (#/admin/sla-policies): preview before save, and the simulator. Moves the clock: a server of its own.</summary>
public sealed class AdminSlaBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    private static async Task<bool> FitsAsync(IPage page) =>
        await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");

    private static Task<string> WidestAsync(IPage page) => page.EvaluateAsync<string>(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '#' + e.id + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right)).slice(0, 8).join(' | ')");

    [Fact]
    public async Task An_admin_sees_which_tickets_a_policy_edit_moves_before_saving_it_and_simulates_a_ticket()
    {
        var server = host.Server;
        await server.Factory.UseBusinessHoursPolicyAsync(firstResponse: "PT4H");
        var agent = await server.AgentAsync("slaedit", "sigma");
        var number = await agent.CreateTicketAsync("sigma");
        // Monday 09:00 → 11:00 Berlin: first response due at 13:00; with a 1 h target it is late.
        server.Factory.Clock.Advance(Duration.FromHours(2));
        var admin = await server.AdminAsync("slaadmin");
        var page = await host.SignInAsync(admin);

        await page.EvaluateAsync("() => location.hash = '#/admin/sla-policies'");
        await page.WaitForSelectorAsync("#sla-list tr[data-policy=standard]");
        await page.ClickAsync("#sla-list tr[data-policy=standard] .sla-edit");
        await page.FillAsync("#sla-t-normal-firstResponse", "PT1H");
        (await page.IsDisabledAsync("#sla-save")).Should().BeTrue("Save waits for a preview");

        await page.ClickAsync("#sla-preview-run");
        var row = page.Locator($"#sla-preview-list tr[data-ticket='{number}']");
        await row.WaitForAsync();
        (await row.Locator(".sla-state").TextContentAsync()).Should().Be("running → breached");
        (await row.Locator(".sla-shift").TextContentAsync()).Should().StartWith("3h 00m earlier");
        (await page.TextContentAsync("#sla-preview-summary")).Should().Be("1 open ticket of 1 would change:");
        (await page.IsEnabledAsync("#sla-save")).Should().BeTrue();
        await page.SetViewportSizeAsync(1440, 900);
        await BrowserHost.ScreenshotAsync(page, "admin-sla-preview-1440");

        // A change after the preview withdraws Save until it is previewed again.
        await page.FillAsync("#sla-t-normal-firstResponse", "PT2H");
        (await page.IsDisabledAsync("#sla-save")).Should().BeTrue();
        await page.ClickAsync("#sla-preview-run");
        await page.WaitForFunctionAsync("() => document.querySelector('#sla-preview-list .sla-shift')?.textContent.startsWith('2h 00m earlier')");
        await page.ClickAsync("#sla-save");
        await page.WaitForFunctionAsync("() => document.querySelector('#sla-list tr[data-policy=standard]')?.textContent.includes('First response: PT2H')");
        (await agent.GetAsync($"/api/v1/tickets/{number}")).GetProperty("slaDueAt").GetString().Should().Be("2026-03-02T10:00:00Z");

        // The simulator on the ticket's own scenario.
        await page.FillAsync("#sim-ticket", number.ToString());
        await page.ClickAsync("#sim-load");
        await page.WaitForFunctionAsync("() => document.querySelector('#sim-scenario').value.includes('\"created\"')");
        await page.ClickAsync("#sim-run");
        await page.WaitForSelectorAsync("#sim-clocks tbody tr");
        (await page.Locator("#sim-clocks tbody tr").First.TextContentAsync()).Should().Contain("firstResponse").And.Contain("running").And.Contain("PT2H");
        // A bad scenario: the problem shows next to the button.
        await page.FillAsync("#sim-scenario", "{\"calendar\": \"24/7\", \"policy\": {\"targets\": {}}, \"events\": [], \"now\": \"yesterday\"}");
        await page.ClickAsync("#sim-run");
        await page.WaitForSelectorAsync("#sim-error:not([hidden])");
        (await page.TextContentAsync("#sim-error")).Should().Contain("bad instant 'yesterday'");

        await page.SetViewportSizeAsync(390, 844);
        await BrowserHost.ScreenshotAsync(page, "admin-sla-phone");
        // The top bar's own overflow (NAV.views, 3 px at 390 px) is the shell's; this page's wide tables scroll in their box.
        (await page.EvaluateAsync<bool>("() => { const b = document.getElementById('admin-body'); return b.scrollWidth <= b.clientWidth; }"))
            .Should().BeTrue("the SLA page fits a phone, but these run over: {0}", await WidestAsync(page));
        await BrowserHost.ScreenshotAsync(page, "admin-sla-phone");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_lead_sees_the_policies_without_editing()
    {
        await host.Server.Factory.UseBusinessHoursPolicyAsync();
        var lead = await host.Server.LeadAsync("slalead", "sigma");
        var page = await host.SignInAsync(lead);

        await page.EvaluateAsync("() => location.hash = '#/admin/sla-policies'");
        await page.WaitForSelectorAsync("#sla-list tr[data-policy=standard]");

        (await page.Locator(".sla-edit, #sla-new").CountAsync()).Should().Be(0);
        (await page.IsVisibleAsync("#sim-run")).Should().BeTrue();
        await page.Context.CloseAsync();
    }
}
