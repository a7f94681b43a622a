using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HelpDesk.Application.Mail;
using HelpDesk.Console.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>A server whose PublicBaseUrl is its own address, so invitation links can be mailed and followed.</summary>
public sealed class AdminBrowserHost() : BrowserHost(ConsoleServer.AtOwnAddress(address => new Dictionary<string, string?> { ["HelpDesk:PublicBaseUrl"] = address }));

/// <summary>The admin area (#/admin/…) in Chromium against the real API: the overview, people, mailboxes, outbox and audit log.</summary>
public sealed partial class AdminBrowserTests(AdminBrowserHost host) : IClassFixture<AdminBrowserHost>
{
    private ConsoleServer Server => host.Server;

    private static async Task<bool> FitsAsync(IPage page) =>
        await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");

    private static Task<string> WidestAsync(IPage page) => page.EvaluateAsync<string>(
        "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '#' + e.id + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right)).slice(0, 8).join(' | ')");

    /// <summary>Screenshots at 1440 px and at phone width, checking that nothing runs off the side of the phone.</summary>
    private static async Task BothWidthsAsync(IPage page, string name)
    {
        await BrowserHost.ScreenshotAsync(page, $"{name}-1440");
        await page.SetViewportSizeAsync(390, 844);
        (await FitsAsync(page)).Should().BeTrue("{0} fits a phone, but these run over: {1}", name, await WidestAsync(page));
        await BrowserHost.ScreenshotAsync(page, $"{name}-phone");
        await page.SetViewportSizeAsync(1440, 900);
    }

    [Fact]
    public async Task The_overview_counts_mail_and_links_to_the_outbox_where_a_failed_mail_is_read_and_retried_and_the_audit_log_shows_it()
    {
        var agent = await Server.AgentAsync("writer", "support");
        var number = await agent.CreateTicketAsync("support", subject: "Printer <b>on fire</b>");
        (await agent.PostAsync($"/api/v1/tickets/{number}/replies", new { body = "We are on it.\n<script>alert(1)</script>", visibility = "public" })).EnsureSuccessStatusCode();
        Guid failedId;
        await using (var db = Server.Factory.Database.NewContext())
        {
            failedId = await db.Set<OutboxMail>().Where(m => m.TicketNumber == number && m.Kind == "reply").Select(m => m.Id).SingleAsync();
            await db.Set<OutboxMail>().Where(m => m.Id == failedId).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.State, OutboxState.Failed).SetProperty(m => m.Attempts, 4).SetProperty(m => m.LastError, "550 5.1.1 mailbox unavailable"));
        }
        using (var mailgate = new HttpClient { BaseAddress = Server.BaseAddress })
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes($"To: support@desk.test\r\nSubject: Nobody\r\nMessage-ID: <n.{Guid.NewGuid():N}@x.test>\r\n\r\nhi\r\n"));
            content.Headers.ContentType = new MediaTypeHeaderValue("message/rfc822");
            (await mailgate.PostAsync("/mailgate", content)).EnsureSuccessStatusCode();
        }
        var counts = await (await Server.AdminAsync("counter")).GetAsync("/api/v1/mail/counts");
        var admin = await Server.AdminAsync("overview");
        var page = await host.SignInAsync(admin);

        await page.ClickAsync("#nav-admin");
        await page.WaitForSelectorAsync("#admin-counts");
        var failed = page.Locator("#admin-counts li", new() { HasText = "failed to send" });
        (await failed.Locator(".value").TextContentAsync()).Should().Be(counts.GetProperty("outbox").GetProperty("failed").GetInt32().ToString());
        (await failed.Locator(".value").TextContentAsync()).Should().NotBe("0");
        (await page.Locator("#admin-counts li", new() { HasText = "quarantined" }).Locator(".value").TextContentAsync())
            .Should().Be(counts.GetProperty("quarantined").GetInt32().ToString()).And.NotBe("0");
        (await page.Locator("#admin-counts li", new() { HasText = "quarantined" }).Locator("a").GetAttributeAsync("href")).Should().Be("#/admin/quarantine");
        // No SMTP server is set up here: the health says what that breaks, with the page that fixes it.
        var noSmtp = page.Locator("#health-list li[data-code='mail.no_smtp']");
        (await noSmtp.Locator("strong").TextContentAsync()).Should().StartWith("No SMTP server");
        (await noSmtp.Locator("a").GetAttributeAsync("href")).Should().Be("#/admin/mailboxes");
        await BothWidthsAsync(page, "admin-home");

        await failed.Locator("a").ClickAsync();
        await page.WaitForURLAsync("**#/admin/outbox?state=failed");
        var row = page.Locator($"#ob-list tr[data-id='{failedId}']");
        await row.WaitForAsync();
        (await page.Locator("#ob-list tbody tr").CountAsync()).Should().Be(1, "the filter is failed mail only");
        (await row.Locator(".ob-error").TextContentAsync()).Should().Contain("550 5.1.1");
        (await page.InputValueAsync("#ob-state")).Should().Be("failed");

        await row.Locator("button.view").ClickAsync();
        await page.WaitForSelectorAsync("#ob-body");
        (await page.TextContentAsync("#ob-body")).Should().Contain("<script>alert(1)</script>", "the text is shown as text");
        (await page.Locator("#ob-detail script, #ob-detail b").CountAsync()).Should().Be(0, "nothing in a mail is parsed as HTML");
        await BothWidthsAsync(page, "admin-outbox");

        await row.Locator("button.retry").ClickAsync();
        await page.WaitForFunctionAsync($"() => document.querySelector(\"#ob-list tr[data-id='{failedId}'] .ob-state\").textContent === 'Waiting'");
        (await row.Locator(".admin-actions .sub").TextContentAsync()).Should().StartWith("Queued");
        await using (var db = Server.Factory.Database.NewContext())
            (await db.Set<OutboxMail>().Where(m => m.Id == failedId).Select(m => m.State).SingleAsync()).Should().NotBe(OutboxState.Failed);

        await page.GotoAsync("/#/admin/audit?action=outbox.");
        await page.WaitForSelectorAsync("#au-list");
        var entry = page.Locator("#au-list tr[data-action='outbox.retried']");
        (await entry.Locator("td[data-label=By]").TextContentAsync()).Should().Be(admin.Email);
        (await entry.Locator("td[data-label=On]").TextContentAsync()).Should().Be(failedId.ToString());
        (await page.GetAttributeAsync("#au-csv", "href")).Should().Be("/api/v1/audit-log?action=outbox.&format=csv");
        await entry.Locator("summary").ClickAsync();
        (await entry.Locator("pre").TextContentAsync()).Should().Contain("\"stateBefore\": \"failed\"");
        await BothWidthsAsync(page, "admin-audit");

        // The survey settings: the configuration's until saved here, then the saved ones (read back by the API).
        await page.GotoAsync("/#/admin/survey");
        await page.WaitForSelectorAsync("#survey-form");
        (await page.TextContentAsync("#sv-source")).Should().StartWith("These come from the configuration file");
        await page.CheckAsync("#sv-askCes");
        await page.FillAsync("#sv-validityDays", "0");
        await page.ClickAsync("#sv-save");
        await page.WaitForFunctionAsync("() => document.getElementById('sv-validityDays-error').textContent.length > 0");
        await page.FillAsync("#sv-validityDays", "14");
        await page.ClickAsync("#sv-save");
        await page.WaitForFunctionAsync("() => document.getElementById('sv-status').textContent === 'Saved.'");
        (await page.TextContentAsync("#sv-source")).Should().StartWith($"Saved by {admin.Email}");
        var survey = await admin.GetAsync("/api/v1/settings/survey");
        (survey.GetProperty("askCes").GetBoolean(), survey.GetProperty("validityDays").GetDouble(), survey.GetProperty("source").GetString()).Should().Be((true, 14, "database"));
        await BothWidthsAsync(page, "admin-survey");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task An_admin_invites_an_agent_who_sets_a_password_through_the_mailed_link_and_signs_in()
    {
        await Server.AgentAsync("member", "sales");
        var admin = await Server.AdminAsync("inviter");
        var page = await host.SignInAsync(admin);
        await page.GotoAsync("/#/admin/people");
        await page.WaitForSelectorAsync("#agent-list");
        var email = $"newcomer{Guid.NewGuid():N}"[..20] + "@desk.test";

        await page.ClickAsync("#agent-invite");
        await page.FillAsync("#iv-email", "not an address");
        await page.FillAsync("#iv-name", "Nia Newcomer");
        await page.ClickAsync("#iv-send");
        await page.WaitForFunctionAsync("() => document.getElementById('iv-email-error').textContent.length > 0");
        (await page.TextContentAsync("#iv-email-error")).Should().Contain("e-mail", "a field's error appears beside it");

        await page.FillAsync("#iv-email", email);
        await page.SelectOptionAsync("#iv-role", "lead");
        await page.CheckAsync("#iv-teams input[value=sales]");
        await BrowserHost.ScreenshotAsync(page, "admin-people-invite");
        await page.ClickAsync("#iv-send");
        await page.WaitForFunctionAsync("() => document.getElementById('people-status').textContent.startsWith('Invitation mailed')");
        var newRow = page.Locator($"#agent-list tr[data-email='{email}']");
        (await newRow.Locator("td[data-label=Role]").TextContentAsync()).Should().Be("Team lead");
        (await newRow.Locator("td[data-label=Teams]").TextContentAsync()).Should().Be("sales");
        await BothWidthsAsync(page, "admin-people");

        string link;
        await using (var db = Server.Factory.Database.NewContext())
            link = LinkPattern().Match(await db.Set<OutboxMail>().Where(m => m.To == email).Select(m => m.BodyText).SingleAsync()).Value;
        link.Should().StartWith($"{Server.BaseAddress.ToString().TrimEnd('/')}/set-password?token=");

        var invited = await host.LoginPageAsync();
        await invited.GotoAsync(link);
        await invited.FillAsync("#password", "password1");
        await invited.FillAsync("#repeat", "password1");
        await invited.ClickAsync("#save");
        await invited.WaitForFunctionAsync("() => document.getElementById('password-error').textContent.length > 0");
        (await invited.TextContentAsync("#password-error")).Should().Contain("common", "a breached password is refused beside the button");
        await invited.FillAsync("#password", "lantern orbit cheddar 42");
        await invited.FillAsync("#repeat", "lantern orbit cheddar 42");
        await BothWidthsAsync(invited, "set-password");
        await invited.ClickAsync("#save");
        await invited.WaitForSelectorAsync("#done:not([hidden])");
        invited.Url.Should().NotContain("token", "the spent token leaves the address bar");
        await BrowserHost.ScreenshotAsync(invited, "set-password-done");

        await invited.ClickAsync("#done a");
        await invited.WaitForURLAsync("**/login**");
        await BrowserHost.SubmitLoginAsync(invited, email, "lantern orbit cheddar 42");
        await invited.WaitForSelectorAsync("body[data-ready=true]");
        (await invited.IsVisibleAsync("#nav-admin")).Should().BeTrue("the invited lead is signed in");

        await invited.Context.CloseAsync();

        // The admin edits the new agent: role back to agent, with the version read when the editor opened.
        await newRow.Locator("button.edit").ClickAsync();
        await page.SelectOptionAsync("#ag-role", "agent");
        await page.ClickAsync("#ag-save");
        await page.WaitForFunctionAsync($"() => document.querySelector(\"#agent-list tr[data-email='{email}'] td[data-label=Role]\")?.textContent === 'Agent'");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Saving_a_mailbox_someone_else_changed_meanwhile_is_refused_with_the_reason_beside_Save_and_the_password_is_never_shown()
    {
        var admin = await Server.AdminAsync("postmaster");
        const string secret = "Imap-secret-never-in-the-page";
        var created = await admin.PostAsync("/api/v1/mailboxes", new
        {
            name = $"sales{Guid.NewGuid():N}"[..12], enabled = false, imap = new { host = "imap.example.test", port = 993, useTls = true, username = "sales", password = secret },
        });
        created.StatusCode.Should().Be(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var mailbox = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = mailbox.GetProperty("id").GetString()!;
        var page = await host.SignInAsync(admin);
        await page.GotoAsync("/#/admin/mailboxes");
        var row = page.Locator($"#mailbox-list tr[data-id='{id}']");
        await row.WaitForAsync();
        (await row.Locator(".mb-status .pill").TextContentAsync()).Should().Be("Disabled");

        await row.Locator("button.edit").ClickAsync();
        await page.WaitForSelectorAsync("#mailbox-form");
        (await page.InputValueAsync("#mb-imap-password")).Should().BeEmpty("a stored password is never sent to the page");
        (await page.GetAttributeAsync("#mb-imap-password", "placeholder")).Should().Contain("stored");
        (await page.ContentAsync()).Should().NotContain(secret);

        // Someone else saves the mailbox (version 1 → 2) while the editor is open.
        var other = new HttpRequestMessage(HttpMethod.Put, $"/api/v1/mailboxes/{id}")
        {
            Content = JsonContent.Create(new { enabled = false, imap = new { host = "imap.example.test", port = 993, useTls = true, username = "sales", folder = "Theirs" } }),
        };
        other.Headers.IfMatch.Add(new EntityTagHeaderValue("\"1\""));
        (await admin.Http.SendAsync(other)).StatusCode.Should().Be(HttpStatusCode.OK);

        await page.FillAsync("#mb-imap-folder", "Mine");
        await page.ClickAsync("#mb-save");
        await page.WaitForFunctionAsync("() => document.getElementById('mb-error').textContent.length > 0");
        (await page.TextContentAsync("#mb-error")).Should().StartWith("Someone changed this mailbox");
        var save = await page.Locator("#mb-save").BoundingBoxAsync();
        var error = await page.Locator("#mb-error").BoundingBoxAsync();
        Math.Abs(save!.Y + save.Height / 2 - (error!.Y + error.Height / 2)).Should().BeLessThan(40, "the error is beside Save");
        await BothWidthsAsync(page, "admin-mailbox-stale");

        // Test connection answers beside its button (nothing listens on that host here).
        await page.FillAsync("#mb-imap-host", "127.0.0.1");
        await page.FillAsync("#mb-imap-port", "1");
        await page.UncheckAsync("#mb-imap-useTls");
        await page.ClickAsync("#mb-test");
        await page.WaitForSelectorAsync("#mb-test-result [data-part=imap]", new() { Timeout = 30_000 });
        (await page.GetAttributeAsync("#mb-test-result [data-part=imap]", "data-outcome")).Should().Be("refused");
        (await page.TextContentAsync("#mb-test-result [data-part=imap]")).Should().Contain("connection refused");

        // Opened again, the editor has their version and saves.
        await page.ClickAsync("#mb-cancel");
        await page.GotoAsync("/#/admin/home");
        await page.GotoAsync("/#/admin/mailboxes");
        await row.Locator("button.edit").ClickAsync();
        (await page.InputValueAsync("#mb-imap-folder")).Should().Be("Theirs");
        await page.FillAsync("#mb-imap-folder", "Mine");
        await page.ClickAsync("#mb-save");
        await page.WaitForFunctionAsync("() => document.getElementById('mb-status').textContent.endsWith('saved.')");
        (await row.Locator("td[data-label=IMAP]").TextContentAsync()).Should().Contain("Mine");
        await BrowserHost.ScreenshotAsync(page, "admin-mailboxes-1440");
        await page.Context.CloseAsync();
    }

    [GeneratedRegex(@"https?://\S+/set-password\?token=\S+")]
    private static partial Regex LinkPattern();
}
