using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using HelpDesk.Application.Agents.CreateAgent;
using HelpDesk.Application.Agents.CreateApiToken;
using HelpDesk.Application.Persistence;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace HelpDesk.Mail.Tests.EndToEnd;

/// <summary>
/// The survey as a customer meets it: an agent solves the ticket through the API, the survey mail travels through the
/// real Postfix into the customer's Dovecot mailbox, and its link is followed in a real browser (Debian's chromium).
/// </summary>
[Collection(MailServerCollection.Name)]
public sealed class SurveyEndToEndTests(MailServerFixture servers) : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private readonly ImapProbe _imap = new(servers);
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
            throw new InvalidOperationException($"{ChromiumPath} is missing: apt-get install -y --no-install-recommends chromium (scripts/test does this).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>CSAT over the stored answers of one ticket's surveys: the share of ratings that are 4 or 5 (null: no answers).</summary>
    private static Task<double?> CsatAsync(MailDeskFactory desk, int number) => desk.DbAsync(async db =>
    {
        var ratings = await db.Surveys.AsNoTracking().Where(s => s.TicketNumber == number && s.Rating != null).Select(s => s.Rating!.Value).ToListAsync();
        return ratings.Count == 0 ? (double?)null : ratings.Count(r => r >= 4) / (double)ratings.Count;
    });

    [Fact]
    public async Task A_solved_ticket_mails_a_survey_whose_link_records_the_rating_in_a_browser_and_moves_CSAT()
    {
        var port = FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        using var desk = new MailDeskFactory(new Dictionary<string, string?>
        {
            ["HelpDesk:Mail:Smtp:Host"] = "127.0.0.1",
            ["HelpDesk:Mail:Smtp:Port"] = servers.SmtpPort.ToString(),
            ["HelpDesk:PublicBaseUrl"] = baseUrl,
            ["HelpDesk:Surveys:AskNps"] = "true",
            ["HelpDesk:Surveys:AskCes"] = "true",
        });
        desk.UseKestrel(port);
        desk.StartServer();
        await desk.EnsureTeamAsync("support");
        await desk.SendAsync(new CreateAgent("surveyor@example.test", "Sue", "agent", ["support"], "correct-horse-battery"));
        using var agent = new HttpClient { BaseAddress = new Uri(baseUrl) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await desk.SendAsync(new CreateApiToken("surveyor@example.test", "test"))).Token);

        // The agent opens a ticket for the customer, answers and solves it, all through the API.
        var subject = $"Survey {Guid.NewGuid():N}"[..20];
        var created = await agent.PostAsJsonAsync("/api/v1/tickets", new { subject, body = "My invoice is wrong.", requester = new { email = "customer@example.test", name = "Carla" }, team = "support" });
        created.EnsureSuccessStatusCode();
        var number = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt32();
        (await agent.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "Corrected, sorry.", visibility = "public" })).EnsureSuccessStatusCode();
        (await agent.PostAsJsonAsync($"/api/v1/tickets/{number}/status", new { status = "solved" })).EnsureSuccessStatusCode();
        (await CsatAsync(desk, number)).Should().BeNull("nobody has answered yet");

        // The survey arrives in the customer's mailbox as automatic mail of the ticket's thread.
        var survey = await Eventually.WaitAsync(async () => (await _imap.FindAsync("customer", subject)).FirstOrDefault(m => m.Subject?.StartsWith("How did we do?") == true), "the survey mail");
        survey.Subject.Should().Contain($"[#{number}]");
        survey.Headers["Auto-Submitted"].Should().Be("auto-generated");
        survey.Headers["X-Auto-Response-Suppress"].Should().Be("All");
        survey.Headers["Precedence"].Should().Be("bulk");
        survey.MessageId.Should().StartWith($"hd.{number}.");
        var links = Regex.Matches(survey.TextBody ?? "", @"http://\S+/survey/\S+\?rating=([1-5])").ToDictionary(m => int.Parse(m.Groups[1].Value), m => m.Value);
        links.Keys.Should().BeEquivalentTo([1, 2, 3, 4, 5]);
        links.Values.Should().AllSatisfy(l => l.Should().StartWith(baseUrl + "/survey/"));

        // One click on "5" in the browser: no login, the rating is stored and CSAT is 100 %.
        var context = await _browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(links[5]);
        response!.Status.Should().Be(200);
        (await page.TextContentAsync("#recorded")).Should().Contain("5");
        (await desk.DbAsync(db => db.Surveys.SingleAsync(s => s.TicketNumber == number))).Rating.Should().Be(5);
        (await CsatAsync(desk, number)).Should().Be(1.0);

        // The optional questions and the comment, sent with the page's own form (no script needed).
        await page.CheckAsync("input[name=nps][value='9']");
        await page.CheckAsync("input[name=ces][value='6']");
        await page.FillAsync("#comment", "Fast & friendly <3");
        await page.ClickAsync("button[type=submit]");
        await page.WaitForSelectorAsync(".saved");
        var stored = await desk.DbAsync(db => db.Surveys.AsNoTracking().SingleAsync(s => s.TicketNumber == number));
        (stored.Rating, stored.Nps, stored.Ces, stored.Comment).Should().Be((5, 9, 6, "Fast & friendly <3"));
        (await page.InputValueAsync("#comment")).Should().Be("Fast & friendly <3");

        // A second click from the mail within the validity window changes the rating, and CSAT moves with it.
        var again = await context.NewPageAsync();
        (await again.GotoAsync(links[2]))!.Status.Should().Be(200);
        (await again.TextContentAsync("#recorded")).Should().Contain("2");
        (await desk.DbAsync(db => db.Surveys.SingleAsync(s => s.TicketNumber == number))).Rating.Should().Be(2);
        (await CsatAsync(desk, number)).Should().Be(0.0);

        // A tampered link shows a clear page and changes nothing.
        var tampered = await context.NewPageAsync();
        var forged = Regex.Replace(links[5], @"/survey/(\w{32})\.(\d+)\.", m => $"/survey/{m.Groups[1].Value}.{long.Parse(m.Groups[2].Value) + 86_400}.");
        forged.Should().NotBe(links[5]);
        (await tampered.GotoAsync(forged))!.Status.Should().Be(400);
        (await tampered.TextContentAsync("h1")).Should().Be("This link is not valid");
        (await CsatAsync(desk, number)).Should().Be(0.0);
        await context.CloseAsync();
    }
}
