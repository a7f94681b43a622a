using HelpDesk.Domain.Surveys;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using HelpDesk.Application.Agents.CreateAgent;
using HelpDesk.Application.Agents.CreateApiToken;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Teams.CreateTeam;
using HelpDesk.Web.Tests.Infrastructure;
using Mediator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Web.Tests.Api;

/// <summary>The survey landing page over HTTP: status codes, what is recorded, escaping and the page's headers.</summary>
public sealed class SurveyPageTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();
    private WebApplicationFactory<Program> _app = null!;
    private HttpClient _agent = null!;
    private HttpClient _customer = null!;

    public async Task InitializeAsync()
    {
        _app = _factory.WithWebHostBuilder(b => b
            .UseSetting("HelpDesk:PublicBaseUrl", "https://desk.example.test")
            .UseSetting("HelpDesk:Surveys:AskNps", "true")
            .UseSetting("HelpDesk:Surveys:AskCes", "true"));
        await SendAsync(new CreateTeam("support", "Support"));
        await SendAsync(new CreateAgent("dana@helpdesk.test", "Dana", "agent", ["support"], "correct-horse-battery"));
        var token = await SendAsync(new CreateApiToken("dana@helpdesk.test", "test"));
        _agent = _app.CreateClient();
        _agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        _customer = _app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _factory.DisposeAsync();
    }

    private async Task<T> SendAsync<T>(ICommand<T> command)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command);
    }

    private async Task<T> DbAsync<T>(Func<HelpDeskDbContext, Task<T>> query)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>());
    }

    /// <summary>Opens and solves a ticket through the API; returns the path of the survey link from the queued mail.</summary>
    private async Task<(int Number, string Path)> SolvedTicketAsync(string subject = "Cannot log in")
    {
        var created = await _agent.PostAsJsonAsync("/api/v1/tickets", new { subject, body = "Locked out.", requester = new { email = "maria@example.test", name = "Maria" }, team = "support" });
        created.EnsureSuccessStatusCode();
        var number = (await created.JsonAsync()).GetProperty("number").GetInt32();
        (await _agent.PostAsJsonAsync($"/api/v1/tickets/{number}/status", new { status = "solved" })).EnsureSuccessStatusCode();
        var body = await DbAsync(db => db.Set<OutboxMail>().Where(m => m.TicketNumber == number && m.Kind == "survey").Select(m => m.BodyText).SingleAsync());
        var start = body.IndexOf("https://desk.example.test/survey/", StringComparison.Ordinal) + "https://desk.example.test".Length;
        return (number, body[start..body.IndexOf('?', start)]);
    }

    private Task<Survey> SurveyAsync(int number) => DbAsync(db => db.Surveys.AsNoTracking().SingleAsync(s => s.TicketNumber == number));

    [Fact]
    public async Task A_rating_link_records_the_rating_and_answers_with_a_self_contained_thank_you_page()
    {
        var (number, path) = await SolvedTicketAsync();

        var response = await _customer.GetAsync($"{path}?rating=4");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        response.Headers.CacheControl!.NoStore.Should().BeTrue();
        response.Headers.GetValues("Referrer-Policy").Should().Equal("no-referrer");
        response.Headers.GetValues("Content-Security-Policy").Single().Should().StartWith("default-src 'none'");
        var html = await response.Content.ReadAsStringAsync();
        html.Should().Contain("Thank you").And.Contain("name=\"nps\"").And.Contain("name=\"ces\"").And.Contain("name=\"comment\"");
        html.Should().NotContain("<script").And.NotContain("src=\"http").And.NotContain("href=\"http");
        (await SurveyAsync(number)).Rating.Should().Be(4);
    }

    [Fact]
    public async Task The_form_saves_comment_and_scores_and_the_page_shows_them_escaped()
    {
        var (number, path) = await SolvedTicketAsync("<script>alert('subject')</script>");
        await _customer.GetAsync($"{path}?rating=5");

        var response = await _customer.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["comment"] = "</textarea><script>alert(1)</script>", ["nps"] = "10", ["ces"] = "6", ["rating"] = "",
        }));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        html.Should().NotContain("<script>");
        html.Should().Contain("&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>");
        html.Should().Contain("&lt;script&gt;alert(&#39;subject&#39;)&lt;/script&gt;");
        html.Should().Contain("value=\"10\" checked").And.Contain("value=\"6\" checked");
        var survey = await SurveyAsync(number);
        (survey.Rating, survey.Nps, survey.Ces, survey.Comment).Should().Be((5, 10, 6, "</textarea><script>alert(1)</script>"));
    }

    [Fact]
    public async Task A_tampered_link_gets_a_400_page_and_records_nothing()
    {
        var (number, path) = await SolvedTicketAsync();
        var tampered = path[..^1] + (path[^1] == 'A' ? 'B' : 'A');

        var get = await _customer.GetAsync($"{tampered}?rating=5");
        var post = await _customer.PostAsync(tampered, new FormUrlEncodedContent(new Dictionary<string, string> { ["comment"] = "hi" }));

        get.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        get.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await get.Content.ReadAsStringAsync()).Should().Contain("This link is not valid");
        post.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var survey = await SurveyAsync(number);
        (survey.Rating, survey.Comment, survey.AnsweredAt).Should().Be((null, null, null));
    }

    [Fact]
    public async Task An_expired_link_gets_a_410_page_and_records_nothing()
    {
        var (number, path) = await SolvedTicketAsync();
        (await _customer.GetAsync($"{path}?rating=2")).StatusCode.Should().Be(HttpStatusCode.OK);

        _factory.Clock.Advance(Duration.FromDays(30));
        var response = await _customer.GetAsync($"{path}?rating=5");

        response.StatusCode.Should().Be(HttpStatusCode.Gone);
        (await response.Content.ReadAsStringAsync()).Should().Contain("This survey has expired");
        (await _customer.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["comment"] = "late" }))).StatusCode.Should().Be(HttpStatusCode.Gone);
        var survey = await SurveyAsync(number);
        (survey.Rating, survey.Comment).Should().Be((2, null));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("6")]
    [InlineData("-1")]
    [InlineData("five")]
    public async Task A_rating_outside_1_to_5_gets_a_400_page_and_records_nothing(string rating)
    {
        var (number, path) = await SolvedTicketAsync();

        var response = await _customer.GetAsync($"{path}?rating={rating}");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        (await SurveyAsync(number)).AnsweredAt.Should().BeNull();
    }

    [Fact]
    public async Task A_link_without_a_rating_offers_the_five_ratings_and_records_nothing()
    {
        var (number, path) = await SolvedTicketAsync();

        var response = await _customer.GetAsync(path);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var html = await response.Content.ReadAsStringAsync();
        for (var i = 1; i <= 5; i++) html.Should().Contain($"href=\"{path}?rating={i}\"");
        (await SurveyAsync(number)).AnsweredAt.Should().BeNull();
    }

    [Fact]
    public async Task A_survey_validity_of_zero_days_stops_the_host_from_starting()
    {
        await using var factory = new HelpDeskFactory();
        await using var broken = factory.WithWebHostBuilder(b => b.UseSetting("HelpDesk:Surveys:ValidityDays", "0"));

        var start = () => broken.Services;

        start.Should().Throw<Microsoft.Extensions.Options.OptionsValidationException>().WithMessage("*ValidityDays*");
    }

    [Fact]
    public async Task Saved_survey_settings_replace_the_configuration_read_back_refuse_a_stale_write_are_audited_and_apply_to_the_next_solve()
    {
        await SendAsync(new CreateAgent("ada@helpdesk.test", "Ada", "admin", [], "correct-horse-battery"));
        var admin = _app.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await SendAsync(new CreateApiToken("ada@helpdesk.test", "test"))).Token);
        HttpRequestMessage Put(object body, string? ifMatch)
        {
            var r = new HttpRequestMessage(HttpMethod.Put, "/api/v1/settings/survey") { Content = JsonContent.Create(body) };
            if (ifMatch is not null) r.Headers.IfMatch.Add(new EntityTagHeaderValue(ifMatch));
            return r;
        }

        var first = await admin.GetAsync("/api/v1/settings/survey");
        first.Headers.ETag!.Tag.Should().Be("\"0\"");
        var configured = await first.JsonAsync();
        (configured.GetProperty("source").GetString(), configured.GetProperty("enabled").GetBoolean(), configured.GetProperty("askNps").GetBoolean(),
            configured.GetProperty("validityDays").GetDouble()).Should().Be(("configuration", true, true, 30));

        var saved = await admin.SendAsync(Put(new { enabled = false, askNps = false, validityDays = 14 }, "\"0\""));
        saved.StatusCode.Should().Be(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        saved.Headers.ETag!.Tag.Should().Be("\"1\"");
        (await admin.SendAsync(Put(new { enabled = true }, "\"0\""))).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
        var invalid = await admin.SendAsync(Put(new { validityDays = 0 }, null));
        invalid.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await invalid.JsonAsync()).GetProperty("errors").TryGetProperty("validityDays", out _).Should().BeTrue();
        (await _agent.SendAsync(Put(new { enabled = true }, null))).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        var read = await (await admin.GetAsync("/api/v1/settings/survey")).JsonAsync();
        (read.GetProperty("source").GetString(), read.GetProperty("enabled").GetBoolean(), read.GetProperty("askNps").GetBoolean(),
            read.GetProperty("askCes").GetBoolean(), read.GetProperty("validityDays").GetDouble(), read.GetProperty("version").GetInt32(),
            read.GetProperty("updatedBy").GetString()).Should().Be(("database", false, false, true, 14, 1, "ada@helpdesk.test"));

        // Disabled: solving a ticket queues no survey any more.
        var created = await _agent.PostAsJsonAsync("/api/v1/tickets", new { subject = "Quiet", body = "Hi.", requester = new { email = "maria@example.test", name = "Maria" }, team = "support" });
        var number = (await created.JsonAsync()).GetProperty("number").GetInt32();
        (await _agent.PostAsJsonAsync($"/api/v1/tickets/{number}/status", new { status = "solved" })).EnsureSuccessStatusCode();
        (await DbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.TicketNumber == number && m.Kind == "survey"))).Should().Be(0);

        var audit = (await (await admin.GetAsync("/api/v1/audit-log?action=survey_settings.changed")).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        audit.Should().ContainSingle();
        audit[0].GetProperty("actor").GetString().Should().Be("ada@helpdesk.test");
        audit[0].GetProperty("after").GetString().Should().Contain("\"enabled\":false");
    }
}
