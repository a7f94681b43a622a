using System.Text.Json;
using HelpDesk.Console.Tests.Infrastructure;
using HelpDesk.Application.AgentConsole;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>The console in a real Chromium against the app on a real port.</summary>
public sealed class ConsoleBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    private ConsoleServer Server => host.Server;

    [Fact]
    public async Task An_agent_signs_in_on_the_login_page_and_works_the_queue_with_the_keyboard()
    {
        var agent = await Server.AgentAsync("login", "iota");
        var first = await agent.CreateTicketAsync("iota", subject: "Printer on fire", priority: "urgent");
        var second = await agent.CreateTicketAsync("iota", subject: "Invoice missing", customer: "li@example.test");
        (await agent.PostAsync($"/api/v1/tickets/{first}/replies", new { body = "Checking the printer logs.\n\nOn Monday Maria wrote:\n> It is on fire", visibility = "public" })).EnsureSuccessStatusCode();
        (await agent.PostAsync($"/api/v1/tickets/{first}/replies", new { body = "Customer called twice; handle with care.", visibility = "internal" })).EnsureSuccessStatusCode();

        var page = await host.LoginPageAsync();
        await BrowserHost.SubmitLoginAsync(page, agent.Email, "wrong password");
        await page.WaitForSelectorAsync(".error[role=alert]");
        await BrowserHost.ScreenshotAsync(page, "login");
        await BrowserHost.SubmitLoginAsync(page, agent.Email, "correct-horse-battery");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        (await page.TextContentAsync("#me-name")).Should().Be(agent.Email.Split('@')[0]);

        await page.WaitForSelectorAsync($"#q-{second}");
        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("k");
        var selected = await page.GetAttributeAsync("#queue li[aria-selected=true]", "data-number");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync($"() => document.querySelector('#t-subject')?.textContent.startsWith('#{selected} ')");
        await page.ClickAsync($"#q-{first}");
        await page.WaitForSelectorAsync(".msg.note .label");
        (await page.Locator(".msg details summary").TextContentAsync()).Should().Be("Quoted text");
        await page.WaitForSelectorAsync("#sla .cycle, #sla p");
        await BrowserHost.ScreenshotAsync(page, "console");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Two_agents_see_each_others_presence_and_typing()
    {
        var ann = await Server.AgentAsync("ann", "kappa");
        var ben = await Server.AgentAsync("ben", "kappa");
        var number = await ann.CreateTicketAsync("kappa");
        var annPage = await host.SignInAsync(ann);
        var benPage = await host.SignInAsync(ben);

        await annPage.ClickAsync($"#q-{number}");
        await benPage.ClickAsync($"#q-{number}");
        await annPage.WaitForSelectorAsync($".viewer[data-agent='{ben.Email}']:not(.typing)");
        await benPage.WaitForSelectorAsync($".viewer[data-agent='{ann.Email}']");

        await benPage.FillAsync("#reply-body", "Hello Maria,");
        await annPage.WaitForSelectorAsync($".viewer.typing[data-agent='{ben.Email}']");
        (await annPage.TextContentAsync($".viewer[data-agent='{ben.Email}']")).Should().Contain("is typing");
        await BrowserHost.ScreenshotAsync(annPage, "presence-typing");

        // Ben's tab goes away: his presence goes with it.
        await benPage.Context.CloseAsync();
        await annPage.WaitForSelectorAsync($".viewer[data-agent='{ben.Email}']", new PageWaitForSelectorOptions { State = WaitForSelectorState.Detached });
        await annPage.Context.CloseAsync();
    }

    [Fact]
    public async Task A_reply_sent_after_someone_elses_reply_is_refused_and_the_draft_survives()
    {
        var ann = await Server.AgentAsync("anna", "lambda");
        var ben = await Server.AgentAsync("benno", "lambda");
        var number = await ann.CreateTicketAsync("lambda");
        var annPage = await host.SignInAsync(ann);
        var benPage = await host.SignInAsync(ben);
        await annPage.ClickAsync($"#q-{number}");
        await benPage.ClickAsync($"#q-{number}");
        await benPage.WaitForSelectorAsync("#thread .msg");
        await benPage.FillAsync("#reply-body", "Ben's draft: please reset your password.");

        await annPage.FillAsync("#reply-body", "Ann's answer: your account is unlocked.");
        await annPage.ClickAsync("#send");
        await annPage.WaitForSelectorAsync("#thread .msg.agent");

        await benPage.ClickAsync("#send");
        await benPage.WaitForSelectorAsync("#stale:not([hidden])");
        (await benPage.InputValueAsync("#reply-body")).Should().Be("Ben's draft: please reset your password.");
        await benPage.WaitForSelectorAsync("#thread .msg.agent >> text=Ann's answer");
        await BrowserHost.ScreenshotAsync(benPage, "stale-reply");
        (await Bodies(ann, number)).Should().NotContain(b => b.StartsWith("Ben's draft"));

        // Ben confirms: sent once, and the composer empties.
        await benPage.ClickAsync("#send-anyway");
        await benPage.WaitForFunctionAsync("() => document.querySelector('#reply-body').value === ''");
        (await Bodies(ann, number)).Count(b => b.StartsWith("Ben's draft")).Should().Be(1);
        await annPage.Context.CloseAsync();
        await benPage.Context.CloseAsync();
    }

    [Fact]
    public async Task A_ticket_created_through_the_api_appears_in_the_queue_without_reload_within_2_seconds()
    {
        var agent = await Server.AgentAsync("live", "mu");
        var page = await host.SignInAsync(agent);
        var number = await agent.CreateTicketAsync("mu", subject: "Brand new problem");
        await page.WaitForSelectorAsync($"#q-{number}", new PageWaitForSelectorOptions { Timeout = 2000 });
        (await page.TextContentAsync($"#q-{number} .subj")).Should().Contain("Brand new problem");

        // A change made elsewhere shows up too.
        (await agent.PostAsync($"/api/v1/tickets/{number}/priority", new { priority = "urgent" })).EnsureSuccessStatusCode();
        await page.WaitForSelectorAsync($"#q-{number} .pill.urgent", new PageWaitForSelectorOptions { Timeout = 2000 });

        // Views and filters: a claimed ticket is "mine" and no longer "unassigned".
        var other = await agent.CreateTicketAsync("mu", subject: "Someone else's", priority: "low");
        (await agent.PostAsync($"/api/v1/tickets/{number}/claim", new { })).EnsureSuccessStatusCode();
        await page.WaitForSelectorAsync($"#q-{other}");
        await page.ClickAsync("#views button[data-view=mine]");
        await page.WaitForSelectorAsync($"#q-{other}", new PageWaitForSelectorOptions { State = WaitForSelectorState.Detached });
        await page.WaitForSelectorAsync($"#q-{number}");
        await page.ClickAsync("#views button[data-view=unassigned]");
        await page.WaitForSelectorAsync($"#q-{number}", new PageWaitForSelectorOptions { State = WaitForSelectorState.Detached });
        await page.WaitForSelectorAsync($"#q-{other}");
        await page.ClickAsync("#views button[data-view=open]");
        await page.SelectOptionAsync("#f-priority", "low");
        await page.WaitForSelectorAsync($"#q-{number}", new PageWaitForSelectorOptions { State = WaitForSelectorState.Detached });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Back_after_its_missed_events_were_deleted_by_retention_the_console_reloads_the_queue_instead_of_waiting_forever()
    {
        var agent = await Server.AgentAsync("longaway", "omicron");
        var before = await agent.CreateTicketAsync("omicron", subject: "Before the long absence");
        var page = await host.SignInAsync(agent);
        await page.WaitForSelectorAsync($"#q-{before}");
        var replays = await ConsoleConnection.WatchReplaysAsync(page);

        await page.Context.SetOfflineAsync(true);
        await ConsoleConnection.DropAsync(page);
        await page.WaitForSelectorAsync("#connection.down");
        var missed = await agent.CreateTicketAsync("omicron", subject: "While away for weeks");
        (await agent.PostAsync($"/api/v1/tickets/{before}/priority", new { priority = "urgent" })).EnsureSuccessStatusCode();
        // The retention job removed what was missed (this stream only: the server is shared with other tests).
        await using (var db = Server.Factory.Database.NewContext())
            await db.Set<ConsoleEvent>().Where(e => e.Stream == "team:omicron").ExecuteDeleteAsync();
        await page.Context.SetOfflineAsync(false);

        await page.WaitForSelectorAsync($"#q-{missed}");
        await page.WaitForSelectorAsync($"#q-{before} .pill.urgent");
        await page.WaitForSelectorAsync("#connection.live");
        var head = (await agent.GetAsync("/api/v1/console/events?stream=team:omicron&after=0")).GetProperty("head").GetInt64();
        (await ConsoleConnection.LastSeqAsync(page, "team:omicron")).Should().Be(head);
        replays.Resets.Should().BeGreaterThanOrEqualTo(1);

        // Live again: the next change is pushed and applied.
        (await agent.PostAsync($"/api/v1/tickets/{missed}/priority", new { priority = "high" })).EnsureSuccessStatusCode();
        await page.WaitForSelectorAsync($"#q-{missed} .pill.high");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task After_a_dropped_connection_the_console_replays_what_it_missed_exactly_once()
    {
        var agent = await Server.AgentAsync("reconnect", "xi");
        var before = await agent.CreateTicketAsync("xi", subject: "Before the drop");
        var page = await host.SignInAsync(agent);
        await page.WaitForSelectorAsync($"#q-{before}");
        var replays = await ConsoleConnection.WatchReplaysAsync(page);

        // The network goes away (so the console's reconnect attempts fail) and the connection drops.
        await page.Context.SetOfflineAsync(true);
        await ConsoleConnection.DropAsync(page);
        await page.WaitForSelectorAsync("#connection.down");
        var missed = await agent.CreateTicketAsync("xi", subject: "While offline");
        (await agent.PostAsync($"/api/v1/tickets/{before}/priority", new { priority = "urgent" })).EnsureSuccessStatusCode();
        await page.Context.SetOfflineAsync(false);

        await page.WaitForSelectorAsync($"#q-{missed}");
        await page.WaitForSelectorAsync($"#q-{before} .pill.urgent");
        await page.WaitForSelectorAsync("#connection.live");
        var head = (await agent.GetAsync("/api/v1/console/events?stream=team:xi&after=0")).GetProperty("head").GetInt64();
        (await ConsoleConnection.LastSeqAsync(page, "team:xi")).Should().Be(head);
        replays.Replayed.Should().BeGreaterThanOrEqualTo(2);
        (await page.Locator($"#q-{missed}").CountAsync()).Should().Be(1);

        // Live again: the next change is pushed and applied once.
        (await agent.PostAsync($"/api/v1/tickets/{missed}/priority", new { priority = "high" })).EnsureSuccessStatusCode();
        await page.WaitForSelectorAsync($"#q-{missed} .pill.high");
        (await ConsoleConnection.LastSeqAsync(page, "team:xi")).Should().Be(head + 1);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Script_payloads_in_a_message_render_inert()
    {
        var agent = await Server.AgentAsync("xss", "nu");
        const string payload = "<script>window.__pwned=1;alert('text')</script><img src=x onerror=\"window.__pwned=2;alert('img')\">";
        var number = await agent.CreateTicketAsync("nu", subject: "<img src=x onerror=alert('subject')>", body: payload);
        (await agent.PostAsync($"/api/v1/tickets/{number}/replies", new { body = payload, visibility = "internal" })).EnsureSuccessStatusCode();
        // What the e-mail channel will store: HTML (sanitised there; here deliberately hostile to prove the iframe holds anyway).
        await using (var db = Server.Factory.Database.NewContext())
        {
            var html = "<p>Hello</p>" + payload + "<a href=\"javascript:alert('link')\">click</a><iframe src=\"javascript:alert('frame')\"></iframe>";
            var first = db.Tickets.Where(t => t.Number == number).SelectMany(t => t.Articles).OrderBy(a => a.CreatedAt).ThenBy(a => a.Id).Select(a => a.Id).Take(1);
            (await db.Set<Article>().Where(a => first.Contains(a.Id)).ExecuteUpdateAsync(s => s.SetProperty(a => a.BodyHtml, html))).Should().Be(1);
        }

        var page = await host.SignInAsync(agent);
        var dialogs = new List<string>();
        page.Dialog += async (_, d) => { dialogs.Add(d.Message); await d.DismissAsync(); };
        await page.ClickAsync($"#q-{number}");
        var frame = await page.WaitForSelectorAsync("#thread iframe");
        (await frame!.GetAttributeAsync("sandbox")).Should().Be("");
        var content = await frame.ContentFrameAsync();
        await content!.WaitForLoadStateAsync(LoadState.Load);
        (await content.TextContentAsync("p")).Should().Be("Hello");
        await page.WaitForSelectorAsync("#thread .msg.note pre.body");
        (await page.TextContentAsync("#thread .msg.note pre.body")).Should().Be(payload);
        (await page.TextContentAsync("#t-subject")).Should().Contain("<img src=x");
        // Even a click on the javascript: link inside the sandbox runs nothing.
        await content.ClickAsync("a", new FrameClickOptions { Force = true });
        await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");

        (await page.EvaluateAsync<JsonElement>("() => window.__pwned ?? null")).ValueKind.Should().Be(JsonValueKind.Null);
        (await page.Locator("#thread img, #t-subject img").CountAsync()).Should().Be(0);
        dialogs.Should().BeEmpty();
        await page.Context.CloseAsync();
    }

    private static async Task<List<string>> Bodies(TestAgent agent, int number) =>
        (await agent.GetAsync($"/api/v1/tickets/{number}/articles")).EnumerateArray().Select(a => a.GetProperty("bodyText").GetString()!).ToList();
}
