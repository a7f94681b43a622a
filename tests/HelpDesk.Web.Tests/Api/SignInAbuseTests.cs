using System.Net;
using System.Net.Http.Json;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using NodaTime;

namespace HelpDesk.Web.Tests.Api;

/// <summary>Rate limits (429 per address and per account) and the lockout with back-off, over real HTTP on a real database.</summary>
public sealed class SignInAbuseTests : IAsyncLifetime
{
    private const string Dana = "dana@helpdesk.test";
    private const string Password = "correct-horse-battery";

    private readonly HelpDeskFactory _factory = Factory([]);
    private HttpClient _admin = null!;

    private static HelpDeskFactory Factory(Dictionary<string, string?> settings, Testing.TestDatabase? database = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["HelpDesk:SignIn:FreeFailures"] = "3",
            ["HelpDesk:SignIn:FirstLockSeconds"] = "60",
        };
        foreach (var (k, v) in settings) all[k] = v;
        return new HelpDeskFactory(database, all);
    }

    public async Task InitializeAsync()
    {
        await _factory.AgentClientAsync(Dana, "agent", "support");
        _admin = await _factory.AgentClientAsync("alex@helpdesk.test", "admin");
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private static HttpClient Browser(WebApplicationFactory<Program> app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private HttpClient Browser() => Browser(_factory);

    private static string Answer(HttpResponseMessage response) =>
        response.StatusCode == HttpStatusCode.Redirect ? response.Headers.Location!.ToString() : ((int)response.StatusCode).ToString();

    [Fact]
    public async Task Locks_an_address_after_repeated_failures_even_against_the_right_password()
    {
        var answers = new List<string>();
        for (var i = 0; i < 3; i++) answers.Add(Answer(await Browser().SignInAsync(Dana, "wrong-password!")));

        answers.Should().Equal("/login?error=1&returnUrl=%2F", "/login?error=1&returnUrl=%2F", "/login?error=locked&returnUrl=%2F");
        Answer(await Browser().SignInAsync(Dana, Password)).Should().Be("/login?error=locked&returnUrl=%2F");

        _factory.Clock.Advance(Duration.FromSeconds(61));
        Answer(await Browser().SignInAsync(Dana, Password)).Should().Be("/", "the lock ran out");
    }

    [Fact]
    public async Task Doubles_the_lock_for_each_failure_after_one()
    {
        for (var i = 0; i < 3; i++) await Browser().SignInAsync(Dana, "wrong-password!");
        var first = await LockedUntilAsync(Dana);
        first.Should().Be(_factory.Clock.GetCurrentInstant() + Duration.FromSeconds(60));

        _factory.Clock.Advance(Duration.FromSeconds(61));
        await Browser().SignInAsync(Dana, "wrong-password!");

        (await LockedUntilAsync(Dana)).Should().Be(_factory.Clock.GetCurrentInstant() + Duration.FromSeconds(120));
    }

    [Fact]
    public async Task Answers_for_an_unknown_address_exactly_as_for_a_known_one()
    {
        var known = new List<string>();
        var unknown = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            known.Add(Answer(await Browser().SignInAsync(Dana, "wrong-password!")));
            unknown.Add(Answer(await Browser().SignInAsync("nobody@helpdesk.test", "wrong-password!")));
        }

        unknown.Should().Equal(known);
        known.Should().Contain("/login?error=locked&returnUrl=%2F");
    }

    [Fact]
    public async Task Shows_locked_addresses_to_admins_and_not_to_agents()
    {
        for (var i = 0; i < 3; i++) await Browser().SignInAsync("ghost@helpdesk.test", "wrong-password!");

        var locked = await (await _admin.GetAsync("/api/v1/sign-in/lockouts")).JsonAsync();
        locked.EnumerateArray().Select(l => l.GetProperty("email").GetString()).Should().Equal("ghost@helpdesk.test");
        locked[0].GetProperty("failures").GetInt32().Should().Be(3);

        var agent = await _factory.AgentClientAsync("sam@helpdesk.test", "agent", "support");
        (await agent.GetAsync("/api/v1/sign-in/lockouts")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Every_node_on_the_database_sees_the_lock()
    {
        await using var other = Factory([], _factory.Database.Shared());
        for (var i = 0; i < 3; i++) await Browser().SignInAsync(Dana, "wrong-password!");

        Answer(await Browser(other).SignInAsync(Dana, Password)).Should().Be("/login?error=locked&returnUrl=%2F");
    }

    [Fact]
    public async Task Refuses_a_burst_of_sign_ins_for_one_account_with_429_problem_and_retry_after()
    {
        await using var app = Limited("HelpDesk:SignIn:PermitsPerMinutePerAccount", "2");
        await Browser(app).SignInAsync("x@helpdesk.test", "wrong-password!");
        await Browser(app).SignInAsync("x@helpdesk.test", "wrong-password!");

        var refused = await Browser(app).SignInAsync("X@helpdesk.test ", "wrong-password!");

        await ShouldBeTooManyAsync(refused);
        Answer(await Browser(app).SignInAsync(Dana, Password)).Should().Be("/", "other accounts are not limited by this one");
    }

    [Fact]
    public async Task Refuses_a_burst_of_sign_ins_from_one_address_across_accounts()
    {
        await using var app = Limited("HelpDesk:SignIn:PermitsPerMinutePerAddress", "2");
        await Browser(app).SignInAsync("a@helpdesk.test", "wrong-password!");
        await Browser(app).SignInAsync("b@helpdesk.test", "wrong-password!");

        await ShouldBeTooManyAsync(await Browser(app).SignInAsync("c@helpdesk.test", "wrong-password!"));
    }

    [Fact]
    public async Task Limits_token_creation_per_agent()
    {
        await using var app = Limited("HelpDesk:SignIn:PermitsPerMinutePerAccount", "2");
        var kim = app.CreateClient();
        kim.DefaultRequestHeaders.Authorization = (await _factory.AgentClientAsync("kim@helpdesk.test", "agent", "support")).DefaultRequestHeaders.Authorization;

        for (var i = 0; i < 2; i++)
            (await kim.PostAsJsonAsync("/api/v1/tokens", new { email = "kim@helpdesk.test", name = $"t{i}" })).StatusCode.Should().Be(HttpStatusCode.OK);

        await ShouldBeTooManyAsync(await kim.PostAsJsonAsync("/api/v1/tokens", new { email = "kim@helpdesk.test", name = "t3" }));
    }

    [Fact]
    public async Task Limits_guessing_on_one_survey_link()
    {
        await using var app = Limited("HelpDesk:SignIn:PermitsPerMinutePerAccount", "2");
        var customer = Browser(app);
        for (var i = 0; i < 2; i++)
            (await customer.GetAsync("/survey/not-a-token?rating=5")).StatusCode.Should().Be(HttpStatusCode.BadRequest);

        await ShouldBeTooManyAsync(await customer.GetAsync("/survey/not-a-token?rating=5"));
        (await customer.GetAsync("/survey/another-token?rating=5")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    private WebApplicationFactory<Program> Limited(string key, string value) =>
        _factory.WithWebHostBuilder(b => b.UseSetting(key, value));

    private static async Task ShouldBeTooManyAsync(HttpResponseMessage response)
    {
        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        int.Parse(response.Headers.GetValues("Retry-After").Single()).Should().BeInRange(1, 60);
        (await response.JsonAsync()).GetProperty("status").GetInt32().Should().Be(429);
    }

    private async Task<Instant> LockedUntilAsync(string email)
    {
        var locked = await (await _admin.GetAsync("/api/v1/sign-in/lockouts")).JsonAsync();
        var entry = locked.EnumerateArray().Single(l => l.GetProperty("email").GetString() == email);
        return NodaTime.Text.InstantPattern.ExtendedIso.Parse(entry.GetProperty("lockedUntil").GetString()!).Value;
    }
}
