using HelpDesk.Console.Tests.Infrastructure;
using Microsoft.Playwright;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>Views, paging, URL routing, the scrolling queue, a missing ticket, the composer and actions, and phone width.</summary>
public sealed class NavigationBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    private ConsoleServer Server => host.Server;

    private static async Task<List<int>> CreateManyAsync(TestAgent agent, string team, int count, string subject = "Queue filler")
    {
        var numbers = new List<int>();
        for (var i = 0; i < count; i++) numbers.Add(await agent.CreateTicketAsync(team, subject: $"{subject} {i + 1}"));
        return numbers;
    }

    private static Task<string> HashAsync(IPage page) => page.EvaluateAsync<string>("() => location.hash");

    private static Task WaitForTicketAsync(IPage page, int number) =>
        page.WaitForFunctionAsync($"() => !document.querySelector('#ticket').hidden && document.querySelector('#t-subject').textContent.startsWith('#{number} ')");

    private static async Task<int> CountAsync(IPage page, string view) =>
        int.Parse((await page.TextContentAsync($"#views button[data-view='{view}'] .count"))!);

    [Fact]
    public async Task Views_show_their_counts_solved_work_is_listed_and_a_long_queue_pages_with_load_more()
    {
        var agent = await Server.AgentAsync("views", "rho");
        var open = await CreateManyAsync(agent, "rho", 62);
        foreach (var number in open.Take(3))
            (await agent.PostAsync($"/api/v1/tickets/{number}/status", new { status = "solved" })).EnsureSuccessStatusCode();
        var page = await host.SignInAsync(agent);

        await page.WaitForSelectorAsync("#views button[data-view=solved]");
        (await CountAsync(page, "open")).Should().Be(59);
        (await CountAsync(page, "solved")).Should().Be(3);
        (await CountAsync(page, "all")).Should().Be(62);
        (await page.Locator("#queue li").CountAsync()).Should().Be(50, "the first page");
        (await page.TextContentAsync("#queue-count")).Should().Be("Showing 50 of 59");
        await page.ClickAsync("#queue-more");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#queue li').length === 59");
        (await page.IsHiddenAsync("#queue-more")).Should().BeTrue("everything is loaded");

        await page.ClickAsync("#views button[data-view=solved]");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#queue li').length === 3");
        (await HashAsync(page)).Should().Be("#/?view=solved");
        (await page.GetAttributeAsync("#views button[data-view=solved]", "aria-current")).Should().Be("true");
        foreach (var number in open.Take(3)) (await page.IsVisibleAsync($"#q-{number}")).Should().BeTrue();
        await BrowserHost.ScreenshotAsync(page, "views-solved");

        // A saved view: filters under a name, listed with its count, opened from the list.
        await page.ClickAsync("#views button[data-view=open]");
        await page.SelectOptionAsync("#f-sort", "created");
        await page.ClickAsync("#save-view");
        await page.FillAsync("#save-view-name", "Newest first");
        await page.ClickAsync("#save-view-form button[type=submit]");
        await page.WaitForSelectorAsync("#views li.saved button.view[aria-current=true]");
        (await page.TextContentAsync("#views li.saved button.view")).Should().Be("Newest first59");
        await page.WaitForFunctionAsync($"() => document.querySelector('#queue li')?.dataset.number === '{open[^1]}'");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_url_follows_the_open_ticket_through_back_reload_and_a_shared_link_without_any_failed_request()
    {
        var agent = await Server.AgentAsync("routes", "sigma");
        var first = await agent.CreateTicketAsync("sigma", subject: "First ticket");
        var second = await agent.CreateTicketAsync("sigma", subject: "Second ticket");
        var page = await host.LoginPageAsync();
        var failures = new List<string>();
        page.Response += (_, r) => { if (r.Status >= 400) failures.Add($"{r.Status} {r.Url}"); };
        page.Console += (_, m) => { if (m.Type == "error") failures.Add($"console: {m.Text}"); };
        await BrowserHost.SubmitLoginAsync(page, agent.Email, "correct-horse-battery");
        await page.WaitForSelectorAsync("body[data-ready=true]");

        await page.ClickAsync($"#q-{first}");
        await WaitForTicketAsync(page, first);
        (await HashAsync(page)).Should().Be($"#/ticket/{first}");
        await page.ClickAsync($"#q-{second}");
        await WaitForTicketAsync(page, second);
        (await HashAsync(page)).Should().Be($"#/ticket/{second}");

        await page.GoBackAsync();
        await WaitForTicketAsync(page, first);
        await page.GoForwardAsync();
        await WaitForTicketAsync(page, second);
        await page.ReloadAsync();
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await WaitForTicketAsync(page, second);
        (await page.GetAttributeAsync($"#q-{second}", "aria-selected")).Should().Be("true");
        await page.Keyboard.PressAsync("Escape");
        await page.WaitForSelectorAsync("#ticket-placeholder:not([hidden])");
        (await HashAsync(page)).Should().Be("#/");

        // The favicon is served from the app itself, and nothing the console asked for failed.
        (await page.GetAttributeAsync("link[rel=icon]", "href")).Should().Be("/favicon.svg");
        (await page.EvaluateAsync<int>("async () => (await fetch('/favicon.svg')).status")).Should().Be(200);
        failures.Should().BeEmpty();

        // A link shared with a colleague opens the ticket for them, also when they still have to sign in.
        var colleague = await Server.AgentAsync("colleague", "sigma");
        var shared = await host.LoginPageAsync();
        await shared.GotoAsync($"/#/ticket/{first}");
        await shared.WaitForURLAsync("**/login**");
        await BrowserHost.SubmitLoginAsync(shared, colleague.Email, "correct-horse-battery");
        await shared.WaitForSelectorAsync("body[data-ready=true]");
        await WaitForTicketAsync(shared, first);
        (await HashAsync(shared)).Should().Be($"#/ticket/{first}");
        await shared.GotoAsync($"/#/ticket/{second}");
        await WaitForTicketAsync(shared, second);
        await page.Context.CloseAsync();
        await shared.Context.CloseAsync();
    }

    [Fact]
    public async Task A_ticket_low_in_a_long_queue_is_scrolled_into_view_while_the_page_itself_stays_put()
    {
        var agent = await Server.AgentAsync("scroll", "tau");
        var numbers = await CreateManyAsync(agent, "tau", 45, "Long queue");
        var page = await host.SignInAsync(agent);
        await page.WaitForSelectorAsync($"#q-{numbers[^1]}", new() { State = WaitForSelectorState.Attached });
        (await page.EvaluateAsync<double>("() => window.scrollY")).Should().Be(0, "the page does not load scrolled down");

        await page.EvaluateAsync($"() => location.hash = '#/ticket/{numbers[^1]}'");
        await WaitForTicketAsync(page, numbers[^1]);
        var geometry = await page.EvaluateAsync<double[]>($$"""
            () => {
              const li = document.querySelector('#q-{{numbers[^1]}}').getBoundingClientRect();
              const list = document.querySelector('#queue-scroll').getBoundingClientRect();
              return [li.top, li.bottom, list.top, list.bottom, window.scrollY, document.querySelector('.topbar').getBoundingClientRect().top,
                document.querySelector('#queue-scroll').scrollTop, document.documentElement.scrollHeight - window.innerHeight,
                document.querySelector('.filters').getBoundingClientRect().top, document.querySelector('#tiles').getBoundingClientRect().top];
            }
            """);
        geometry[0].Should().BeGreaterThanOrEqualTo(geometry[2] - 1, "the opened ticket is inside the list's visible area");
        geometry[1].Should().BeLessThanOrEqualTo(geometry[3] + 1);
        geometry[4].Should().Be(0, "the page itself did not scroll");
        geometry[5].Should().Be(0, "the top bar stays at the top");
        geometry[6].Should().BeGreaterThan(0, "the list scrolled on its own");
        geometry[7].Should().BeLessThanOrEqualTo(0, "the page is exactly one screen high");
        geometry[8].Should().BeGreaterThan(geometry[9], "the filters stay in place below the tiles");
        (await page.GetAttributeAsync($"#q-{numbers[^1]}", "aria-selected")).Should().Be("true");
        (await page.GetAttributeAsync("#queue", "role")).Should().Be("listbox");
        (await page.GetAttributeAsync($"#q-{numbers[^1]}", "role")).Should().Be("option");
        await BrowserHost.ScreenshotAsync(page, "queue-scrolled");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_missing_or_another_teams_ticket_says_so_in_the_ticket_pane()
    {
        var agent = await Server.AgentAsync("missing", "upsilon");
        var outsider = await Server.AgentAsync("outsider", "phi");
        var theirs = await outsider.CreateTicketAsync("phi", subject: "Not for upsilon");
        var page = await host.SignInAsync(agent);

        foreach (var number in new[] { 987654, theirs })
        {
            await page.EvaluateAsync($"() => location.hash = '#/ticket/{number}'");
            await page.WaitForSelectorAsync("#ticket-missing:not([hidden])");
            (await page.TextContentAsync("#ticket-missing")).Should().Contain($"Ticket #{number} was not found.").And.Contain("a team you are not in");
            (await page.IsHiddenAsync("#ticket")).Should().BeTrue("never an empty working frame");
        }
        await BrowserHost.ScreenshotAsync(page, "ticket-missing");
        await page.ClickAsync("#ticket-missing a");
        await page.WaitForSelectorAsync("#ticket-placeholder:not([hidden])");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_composer_resets_between_tickets_sends_with_ctrl_enter_and_an_action_error_shows_beside_its_action()
    {
        var agent = await Server.AgentAsync("composer", "chi");
        var first = await agent.CreateTicketAsync("chi", subject: "Draft here");
        var second = await agent.CreateTicketAsync("chi", subject: "Answer here");
        var page = await host.SignInAsync(agent);

        await page.ClickAsync($"#q-{first}");
        await WaitForTicketAsync(page, first);
        await page.FillAsync("#reply-body", "Meant for the first customer only");
        await page.CheckAsync("input[name=visibility][value=internal]");
        await page.ClickAsync($"#q-{second}");
        await WaitForTicketAsync(page, second);
        (await page.InputValueAsync("#reply-body")).Should().BeEmpty();
        (await page.IsCheckedAsync("input[name=visibility][value=public]")).Should().BeTrue();

        await page.FillAsync("#reply-body", "Sent with the keyboard");
        await page.Keyboard.PressAsync("Control+Enter");
        await page.WaitForSelectorAsync("#thread .msg.agent >> text=Sent with the keyboard");

        await page.FillAsync("#a-assignee", "nobody@example.test");
        await page.ClickAsync("#a-assign");
        await page.WaitForSelectorAsync("#a-assign-error:not(:empty)");
        var button = (await page.Locator("#a-assign").BoundingBoxAsync())!;
        var error = (await page.Locator("#a-assign-error").BoundingBoxAsync())!;
        Math.Abs(error.Y + error.Height / 2 - (button.Y + button.Height / 2)).Should().BeLessThan(20, "the error is on the action's own line");
        (await page.TextContentAsync("#composer-status")).Should().NotContain("nobody", "not in a place unrelated to the action");
        await BrowserHost.ScreenshotAsync(page, "action-error");

        // Status by keyboard: Shift+P sets pending.
        await page.Locator("#thread").ClickAsync();
        await page.Keyboard.PressAsync("Shift+P");
        await Eventually.TrueAsync(() => agent.GetAsync($"/api/v1/tickets/{second}").Result.GetProperty("status").GetString() == "pending",
            because: "Shift+P sets the open ticket pending");
        await page.WaitForFunctionAsync("() => document.querySelector('#a-status').value === 'pending'");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task At_phone_width_the_queue_and_the_ticket_are_separate_screens()
    {
        var agent = await Server.AgentAsync("phone", "psi");
        var number = await agent.CreateTicketAsync("psi", subject: "Seen on a phone");
        await agent.CreateTicketAsync("psi", subject: "Another one");
        var page = await host.SignInAsync(agent);
        await page.SetViewportSizeAsync(390, 844);
        await page.WaitForSelectorAsync($"#q-{number}");
        const string fits = "() => document.documentElement.scrollWidth <= window.innerWidth";

        (await page.IsVisibleAsync(".queue-pane")).Should().BeTrue();
        (await page.IsVisibleAsync(".ticket-pane")).Should().BeFalse();
        (await page.EvaluateAsync<bool>(fits)).Should().BeTrue("nothing is wider than the phone");
        await BrowserHost.ScreenshotAsync(page, "phone-queue");

        await page.ClickAsync($"#q-{number}");
        await WaitForTicketAsync(page, number);
        (await page.IsVisibleAsync(".queue-pane")).Should().BeFalse("the ticket is a screen of its own");
        (await page.IsVisibleAsync("#t-back")).Should().BeTrue();
        (await page.EvaluateAsync<bool>(fits)).Should().BeTrue();
        await BrowserHost.ScreenshotAsync(page, "phone-ticket");

        await page.ClickAsync("#t-back");
        await page.WaitForSelectorAsync(".queue-pane", new() { State = WaitForSelectorState.Visible });
        (await page.IsVisibleAsync(".ticket-pane")).Should().BeFalse();
        await page.Context.CloseAsync();
    }
}
