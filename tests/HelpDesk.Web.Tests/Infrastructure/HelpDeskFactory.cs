using System.Net.Http.Headers;
using System.Net.Http.Json;
using HelpDesk.Application.Agents.CreateAgent;
using HelpDesk.Application.Agents.CreateApiToken;
using HelpDesk.Application.Configuration.PutCalendar;
using HelpDesk.Application.Configuration.PutSlaPolicy;
using HelpDesk.Application.Teams.CreateTeam;
using Mediator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using HelpDesk.Testing;
using NodaTime;
using NodaTime.Testing;

namespace HelpDesk.Web.Tests.Infrastructure;

/// <summary>
/// The real host on a fresh database of the run's provider (<see cref="TestDatabase"/>: migrated, no demo data) with a
/// fake clock. Monday 2 March 2026, 09:00 in Berlin, unless a test moves the clock.
/// </summary>
public sealed class HelpDeskFactory : WebApplicationFactory<Program>
{
    public static readonly Instant MondayNineBerlin = Instant.FromUtc(2026, 3, 2, 8, 0);

    private readonly IReadOnlyDictionary<string, string?> _settings;

    /// <param name="database">An existing database to share (<see cref="TestDatabase.Shared"/>, left in place on dispose); by default a new one of its own.</param>
    /// <param name="settings">Extra configuration (e.g. <c>HelpDesk:Redis</c>).</param>
    public HelpDeskFactory(TestDatabase? database = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        Database = database ?? TestDatabase.Create();
        _settings = settings ?? new Dictionary<string, string?>();
    }

    public TestDatabase Database { get; }

    public FakeClock Clock { get; } = new(MondayNineBerlin);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Database.Settings) builder.UseSetting(key, value);
        builder.UseSetting("HelpDesk:SeedDemo", "false");
        // Tests sign in many times a minute from one address; the tests of the limits set their own.
        builder.UseSetting("HelpDesk:SignIn:PermitsPerMinutePerAddress", "100000");
        builder.UseSetting("HelpDesk:SignIn:PermitsPerMinutePerAccount", "100000");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.UseEnvironment("Testing");
        builder.ConfigureServices(s =>
        {
            s.RemoveAll<IClock>();
            s.AddSingleton<IClock>(Clock);
            TestDatabase.AddRegisteredInterceptors(s);
        });
    }

    public async Task<T> SendAsSystemAsync<T>(IRequest<T> request)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    public async Task<T> SendAsSystemAsync<T>(ICommand<T> command)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command);
    }

    /// <summary>Creates an agent (and the team when missing) and returns an HTTP client that uses its bearer token.</summary>
    public async Task<HttpClient> AgentClientAsync(string email, string role = "agent", params string[] teams)
    {
        foreach (var team in teams) await EnsureTeamAsync(team);
        await SendAsSystemAsync(new CreateAgent(email, email.Split('@')[0], role, teams, "correct-horse-battery"));
        var token = await SendAsSystemAsync(new CreateApiToken(email, "test"));
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return client;
    }

    public async Task EnsureTeamAsync(string name)
    {
        try { await SendAsSystemAsync(new CreateTeam(name, name)); }
        catch (Domain.Common.DomainRuleViolation e) when (e.Code == "team.exists") { }
    }

    /// <summary>Berlin 09:00-17:00 Monday to Friday, and a standard policy on it for every ticket.</summary>
    public async Task UseBusinessHoursPolicyAsync(string firstResponse = "PT4H", string nextReply = "PT8H", string resolution = "PT24H")
    {
        var week = new[] { "monday", "tuesday", "wednesday", "thursday", "friday" }.ToDictionary(d => d, _ => new List<List<string>> { new() { "09:00", "17:00" } });
        await SendAsSystemAsync(new PutCalendar("office", new CalendarBody("Europe/Berlin", week, [])));
        var targets = new TargetsBody(firstResponse, nextReply, resolution);
        await SendAsSystemAsync(new PutSlaPolicy("standard", new PolicyBody(10, "office", null,
            new Dictionary<string, TargetsBody> { ["urgent"] = targets, ["high"] = targets, ["normal"] = targets, ["low"] = targets }, null, null)));
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Database.Dispose();
    }
}

public static partial class HttpExtensions
{
    /// <summary>What a browser does: reads the login page for its antiforgery token, then posts the form.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(this HttpClient browser, string email, string password, string returnUrl = "/")
    {
        var page = await (await browser.GetAsync("/login")).Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(page).Groups[1].Value;
        return await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = System.Net.WebUtility.HtmlDecode(token),
            ["email"] = email,
            ["password"] = password,
            ["returnUrl"] = returnUrl,
        }));
    }

    [System.Text.RegularExpressions.GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial System.Text.RegularExpressions.Regex AntiforgeryField();

    public static Task<HttpResponseMessage> CreateTicketAsync(this HttpClient client, string team = "support", string priority = "normal",
        string subject = "Cannot log in", string email = "maria@example.test") =>
        client.PostAsJsonAsync("/api/v1/tickets", new { subject, body = "It says my account is locked.", requester = new { email, name = "Maria" }, priority, team });

    public static async Task<int> CreateTicketNumberAsync(this HttpClient client, string team = "support", string priority = "normal")
    {
        var response = await client.CreateTicketAsync(team, priority);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("number").GetInt32();
    }

    public static async Task<System.Text.Json.JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
}
