using System.Net.Http.Headers;
using System.Text;
using HelpDesk.Console.Tests.Infrastructure;
using Microsoft.Playwright;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>The admins' mail quarantine (#/admin/quarantine) in Chromium, on a server of its own (the list is the whole database's).</summary>
public sealed class QuarantineBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    private async Task HandOffAsync(string raw)
    {
        using var http = new HttpClient { BaseAddress = host.Server.BaseAddress };
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(raw.ReplaceLineEndings("\r\n")));
        content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
        (await http.PostAsync("/mailgate", content)).EnsureSuccessStatusCode();
    }

    private static async Task<bool> FitsAsync(IPage page) =>
        await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");

    private static Task<string> WidestAsync(IPage page) => page.EvaluateAsync<string>(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '#' + e.id + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right)).slice(0, 8).join(' | ')");

    [Fact]
    public async Task An_admin_sees_why_mail_failed_fixes_the_sender_and_reprocesses_the_selection_by_keyboard()
    {
        // No team exists yet: the first message cannot be filed; the second has no sender at all.
        await HandOffAsync($"From: Quinn Buyer <quinn@example.test>\nTo: support@helpdesk.test\nSubject: Quote please\nMessage-ID: <q1.{Guid.NewGuid():N}@example.test>\n\nTen chairs.\n");
        await HandOffAsync($"To: support@helpdesk.test\nSubject: Who am I\nMessage-ID: <q2.{Guid.NewGuid():N}@example.test>\n\nPlease call me back.\n");
        await host.Server.AgentAsync("staff", "support");
        var admin = await host.Server.AdminAsync("triage");
        var page = await host.SignInAsync(admin);

        (await page.IsVisibleAsync("#nav-quarantine")).Should().BeTrue("admins find the quarantine in the top bar");
        await page.ClickAsync("#nav-quarantine");
        await page.WaitForSelectorAsync("#q-list");
        var rows = page.Locator("#q-list tbody tr");
        (await rows.CountAsync()).Should().Be(2);
        var noTeam = page.Locator("#q-list tr[data-reason=no_team]");
        var noSender = page.Locator("#q-list tr[data-reason=no_sender]");
        (await noTeam.Locator(".q-reason b").TextContentAsync()).Should().Be("Mailbox's team missing");
        (await noTeam.Locator(".q-from").TextContentAsync()).Should().Contain("quinn@example.test");
        (await noSender.Locator(".q-subject").TextContentAsync()).Should().Be("Who am I");
        (await noSender.Locator(".q-reason b").TextContentAsync()).Should().Be("No usable sender");

        // The filter by reason class lives in the URL.
        await page.SelectOptionAsync("#q-reason", "no_sender");
        await page.WaitForURLAsync("**#/admin/quarantine?reason=no_sender");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#q-list tbody tr').length === 1");
        await page.SelectOptionAsync("#q-reason", "");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#q-list tbody tr').length === 2");

        // Phone width: rows become cards, nothing runs off the side.
        await page.SetViewportSizeAsync(390, 844);
        (await FitsAsync(page)).Should().BeTrue("the list fits a phone, but these run over: {0}", await WidestAsync(page));
        (await page.Locator("#q-reprocess").BoundingBoxAsync())!.Width.Should().BeGreaterThan(0);
        await BrowserHost.ScreenshotAsync(page, "quarantine-phone");
        await page.SetViewportSizeAsync(1440, 900);
        (await FitsAsync(page)).Should().BeTrue();
        await BrowserHost.ScreenshotAsync(page, "quarantine-1440");

        // Keyboard only: the sender fix, select all, reprocess.
        await noSender.Locator(".q-sender").FocusAsync();
        await page.Keyboard.TypeAsync("caller@example.test");
        await page.FocusAsync("#q-all");
        await page.Keyboard.PressAsync("Space");
        (await page.IsEnabledAsync("#q-reprocess")).Should().BeTrue();
        (await page.TextContentAsync("#q-reprocess")).Should().Be("Reprocess selected (2)");
        await page.FocusAsync("#q-reprocess");
        await page.Keyboard.PressAsync("Enter");

        await page.WaitForFunctionAsync("() => document.querySelectorAll('#q-list tr[data-outcome=created]').length === 2");
        foreach (var row in new[] { noTeam, noSender })
        {
            (await row.Locator(".q-result b").TextContentAsync()).Should().Be("created", "the result is shown beside its row");
            (await row.Locator(".q-result a").GetAttributeAsync("href")).Should().MatchRegex(@"^#/ticket/\d+$");
            (await row.Locator("input[type=checkbox]").IsDisabledAsync()).Should().BeTrue();
        }
        (await page.TextContentAsync("#q-status")).Should().Be("2 created");
        await BrowserHost.ScreenshotAsync(page, "quarantine-results");

        await page.ClickAsync("#q-reload");
        await page.WaitForSelectorAsync("#q-empty");
        (await page.TextContentAsync("#q-empty")).Should().StartWith("No quarantined mail.");
        await page.Context.CloseAsync();
    }
}
