using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Console.Tests.Infrastructure;
using Microsoft.Playwright;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>Answering tools in the console: a ticket opened for a caller, macros used from the composer and managed by a lead.</summary>
public sealed class AnsweringBrowserTests(BrowserHost host) : IClassFixture<BrowserHost>
{
    private ConsoleServer Server => host.Server;

    private static Task WaitForTicketAsync(IPage page, int number) =>
        page.WaitForFunctionAsync($"() => !document.querySelector('#ticket').hidden && document.querySelector('#t-subject').textContent.startsWith('#{number} ')");

    private static Task<bool> FitsAsync(IPage page, string selector) =>
        page.EvaluateAsync<bool>($"() => {{ const r = document.querySelector('{selector}').getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth; }}");

    [Fact]
    public async Task An_agent_opens_a_ticket_for_a_caller_with_c_finds_the_requester_sees_errors_beside_the_fields_and_lands_on_the_ticket()
    {
        var agent = await Server.AgentAsync("caller", "kappa");
        await agent.CreateTicketAsync("kappa", subject: "Earlier question", customer: "maria.caller@example.test");
        var page = await host.SignInAsync(agent);

        await page.Keyboard.PressAsync("c");
        await page.WaitForSelectorAsync("#new-ticket[open]");
        (await page.EvaluateAsync<string>("() => document.activeElement.id")).Should().Be("nt-find");
        await page.ClickAsync("#nt-create");
        await page.WaitForFunctionAsync("() => document.querySelector('#nt-subject-error').textContent.length > 0");
        (await page.TextContentAsync("#nt-email-error")).Should().NotBeEmpty("requester.email is shown beside the e-mail field");
        (await page.TextContentAsync("#nt-body-error")).Should().NotBeEmpty();
        (await page.TextContentAsync("#nt-error")).Should().BeEmpty("every error has its field");

        await page.FillAsync("#nt-find", "maria.c");
        await page.ClickAsync("#nt-find-results li[data-email='maria.caller@example.test']");
        (await page.InputValueAsync("#nt-email")).Should().Be("maria.caller@example.test");
        (await page.InputValueAsync("#nt-name")).Should().Be("Maria");
        await page.FillAsync("#nt-subject", "Router blinks red");
        await page.FillAsync("#nt-body", "Called at 10:05: the router blinks red since the storm.");
        await page.SelectOptionAsync("#nt-priority", "high");
        (await page.InputValueAsync("#nt-channel")).Should().Be("phone");
        await page.FillAsync("#nt-reply", "We restarted it together; it works again.");
        (await page.TextContentAsync("#nt-subject-error")).Should().NotBeEmpty("errors stay until the next try");
        await BrowserHost.ScreenshotAsync(page, "new-ticket-form");
        await page.ClickAsync("#nt-create");

        await page.WaitForFunctionAsync("() => /^#\\/ticket\\/\\d+$/.test(location.hash)");
        var number = int.Parse((await page.EvaluateAsync<string>("() => location.hash")).Split('/')[^1]);
        await WaitForTicketAsync(page, number);
        (await page.IsVisibleAsync("#new-ticket")).Should().BeFalse();
        await page.WaitForFunctionAsync("() => document.querySelector('#thread').textContent.includes('We restarted it together')");
        (await page.TextContentAsync("#details")).Should().Contain("phone");
        var ticket = await agent.GetAsync($"/api/v1/tickets/{number}");
        ticket.GetProperty("channel").GetString().Should().Be("phone");
        ticket.GetProperty("priority").GetString().Should().Be("high");
        ticket.GetProperty("requester").GetProperty("email").GetString().Should().Be("maria.caller@example.test");
        await BrowserHost.ScreenshotAsync(page, "new-ticket-created");

        // The queue filters by channel.
        await page.EvaluateAsync("() => location.hash = '#/'");
        await page.SelectOptionAsync("#f-channel", "phone");
        // The list is rendered again when the filter's answer arrives: wait for the filtered list itself, not any list of one.
        await page.WaitForFunctionAsync($"() => document.querySelectorAll('#queue li').length === 1 && !!document.querySelector('#q-{number}')");
        (await page.IsVisibleAsync($"#q-{number}")).Should().BeTrue();

        // Phone width: the button opens the same form, which fits the screen.
        await page.SetViewportSizeAsync(390, 844);
        await page.ClickAsync("#new-ticket-button");
        await page.WaitForSelectorAsync("#new-ticket[open]");
        (await FitsAsync(page, "#new-ticket")).Should().BeTrue("the form fits a phone");
        (await page.InputValueAsync("#nt-subject")).Should().BeEmpty("the form opens empty");
        await BrowserHost.ScreenshotAsync(page, "new-ticket-phone");
        await page.Keyboard.PressAsync("Escape");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_lead_manages_a_macro_and_an_agent_applies_it_from_the_composer_after_its_preview()
    {
        var lead = await Server.LeadAsync("macrolead", "lambda");
        var agent = await Server.AgentAsync("macroagent", "lambda");
        var number = await agent.CreateTicketAsync("lambda", subject: "Forgot my password", customer: "maria.macro@example.test");

        var leadPage = await host.SignInAsync(lead);
        await leadPage.ClickAsync("#nav-macros");
        await leadPage.ClickAsync("#macro-new");
        await leadPage.FillAsync("#m-name", "Password reset");
        await leadPage.SelectOptionAsync("#m-team", "lambda");
        await leadPage.FillAsync("#m-body", "Hi {{customer.firstName}}, your reset link is on its way. — {{agent.nickname}}");
        await leadPage.SelectOptionAsync("#m-status", "pending");
        await leadPage.FillAsync("#m-addTags", "password");
        await leadPage.ClickAsync("#m-save");
        await leadPage.WaitForFunctionAsync("() => document.querySelector('#m-body-error').textContent.includes('{{agent.nickname}} is not a variable')");
        await leadPage.FillAsync("#m-body", "Hi {{customer.firstName | \"there\"}}, your reset link is on its way. — {{agent.name}}");
        await leadPage.ClickAsync("#m-save");
        await leadPage.WaitForSelectorAsync("table.macro-table tbody tr");
        (await leadPage.TextContentAsync("table.macro-table tbody tr")).Should().Contain("Password reset").And.Contain("lambda");
        await BrowserHost.ScreenshotAsync(leadPage, "macros-admin");
        await leadPage.Context.CloseAsync();

        var page = await host.SignInAsync(agent);
        (await page.IsHiddenAsync("#nav-macros")).Should().BeTrue("agents use macros, leads manage them");
        await page.EvaluateAsync($"() => location.hash = '#/ticket/{number}'");
        await WaitForTicketAsync(page, number);
        await page.Locator("#queue").FocusAsync();
        await page.Keyboard.PressAsync("m");
        await page.WaitForSelectorAsync("#macro-picker:not([hidden])");
        await page.FillAsync("#macro-search", "reset");
        await page.WaitForSelectorAsync("#macro-list li[aria-selected=true]");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForFunctionAsync("() => document.querySelector('#macro-preview-reply').textContent.startsWith('Hi Maria,')");
        (await page.TextContentAsync("#macro-preview-reply")).Should().MatchRegex(@"^Hi Maria, your reset link is on its way\. — macroagent\d+$");
        (await page.TextContentAsync("#macro-preview-actions")).Should().Contain("Add tags: password").And.Contain("Status → pending");
        (await agent.GetAsync($"/api/v1/tickets/{number}")).GetProperty("status").GetString().Should().Be("new", "a preview changes nothing");
        await BrowserHost.ScreenshotAsync(page, "macro-preview");

        await page.ClickAsync("#macro-apply");
        await page.WaitForFunctionAsync("() => document.querySelector('#thread').textContent.includes('your reset link is on its way')");
        await page.WaitForFunctionAsync("() => document.querySelector('#a-status').value === 'pending'");
        (await page.IsHiddenAsync("#macro-picker")).Should().BeTrue();
        var macros = await agent.GetAsync("/api/v1/macros");
        macros.EnumerateArray().Single().GetProperty("usageCount").GetInt32().Should().Be(1);
        var ticket = await agent.GetAsync($"/api/v1/tickets/{number}");
        ticket.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Should().Equal("password");
        await BrowserHost.ScreenshotAsync(page, "macro-applied");
        await page.Context.CloseAsync();
    }
}
