using HelpDesk.Console.Tests.Infrastructure;
using HelpDesk.Domain.Tickets;
using HelpDesk.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>The console's pages under its strict Content-Security-Policy, in Chromium: nothing it does is refused.</summary>
public sealed class ContentSecurityPolicyBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    [Fact]
    public async Task The_console_pages_cause_no_csp_violation()
    {
        var admin = await host.Server.AdminAsync("csp");
        await host.Server.AgentAsync("cspagent", "chi");
        var number = await admin.CreateTicketAsync("chi", subject: "Styled mail");
        // An HTML mail with the inline styles mail carries: shown in its own frame, under its own policy.
        await using (var db = host.Server.Factory.Database.NewContext())
        {
            var first = db.Tickets.Where(t => t.Number == number).SelectMany(t => t.Articles).Select(a => a.Id).Take(1);
            await db.Set<Article>().Where(a => first.Contains(a.Id))
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.BodyHtml, "<p style=\"color:#c00;font-weight:bold\">Hello</p><table style=\"width:100%\"><tr><td>x</td></tr></table>"));
        }
        var reports = host.Server.Factory.Services.GetRequiredService<CspReports>();

        var page = await host.SignInAsync(admin);
        await page.ClickAsync($"#q-{number}");
        var frame = await (await page.WaitForSelectorAsync("#thread iframe"))!.ContentFrameAsync();
        await frame!.WaitForSelectorAsync("p");
        (await frame.EvalOnSelectorAsync<string>("p", "e => getComputedStyle(e).color")).Should().Be("rgb(204, 0, 0)", "the mail's own styles apply in its frame");
        await page.WaitForSelectorAsync("#sla .cycle, #sla p");
        foreach (var view in new[] { "/#/reports/dashboard", "/#/reports/breaches", "/#/reports/scorecards", "/#/admin/quarantine", "/" })
        {
            await page.GotoAsync(view);
            await page.WaitForSelectorAsync("body[data-ready=true]");
            await page.WaitForLoadStateAsync(Microsoft.Playwright.LoadState.NetworkIdle);
        }

        // A violation of our own making last: once its report has arrived, any earlier one would have too.
        await page.EvaluateAsync("() => document.body.append(Object.assign(document.createElement('img'), { src: 'https://csp-sentinel.invalid/x.png' }))");
        await Eventually.TrueAsync(() => reports.Latest.Any(r => r.Blocked?.Contains("csp-sentinel") == true), because: "the sentinel's report");
        reports.Latest.Where(r => r.Blocked?.Contains("csp-sentinel") != true).Should().BeEmpty();
        await page.Context.CloseAsync();
    }
}
