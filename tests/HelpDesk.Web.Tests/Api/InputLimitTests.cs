using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Web.Tests.Infrastructure;

namespace HelpDesk.Web.Tests.Api;

/// <summary>
/// Every stored text field refuses what its column cannot hold and control characters where they make no sense, as a
/// 400 naming the field; malformed paths and unknown routes are ProblemDetails too.
/// </summary>
public sealed class InputLimitTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _admin = null!;
    private int _ticket;

    public async Task InitializeAsync()
    {
        _admin = await _factory.AgentClientAsync("root@helpdesk.test", "admin", "support");
        _ticket = await _admin.CreateTicketNumberAsync();
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private static string Long(int length) => new('x', length);

    private static object Ticket(string subject = "Subject", string body = "Body", string name = "Maria", string organisation = "Acme", string team = "support",
        string email = "maria@example.test") =>
        new { subject, body, requester = new { email, name, organisation }, team };

    /// <summary>(method, path with {n} for the ticket, body, the field the 400 must name).</summary>
    public static TheoryData<string, string, object, string> Refused => new()
    {
        { "POST", "/api/v1/tickets", Ticket(subject: Long(301)), "subject" },
        { "POST", "/api/v1/tickets", Ticket(subject: "Line\nbreak"), "subject" },
        { "POST", "/api/v1/tickets", Ticket(subject: "Nul\0"), "subject" },
        { "POST", "/api/v1/tickets", Ticket(body: "Bell\u0007"), "body" },
        { "POST", "/api/v1/tickets", Ticket(name: Long(201)), "requester.name" },
        { "POST", "/api/v1/tickets", Ticket(name: "Esc\u001b[31m"), "requester.name" },
        { "POST", "/api/v1/tickets", Ticket(organisation: Long(201)), "requester.organisation" },
        { "POST", "/api/v1/tickets", Ticket(email: Long(250) + "@x.test"), "requester.email" },
        { "POST", "/api/v1/tickets", Ticket(team: Long(101)), "team" },
        { "POST", "/api/v1/tickets/{n}/replies", new { body = "Back\bspace" }, "body" },
        { "POST", "/api/v1/tickets/{n}/tags", new { add = new[] { "tag\u0001" } }, "add[0]" },
        { "POST", "/api/v1/tickets/{n}/tags", new { add = new[] { Long(51) } }, "add[0]" },
        { "POST", "/api/v1/agents", new { email = "a@helpdesk.test", name = Long(201), role = "agent", teams = new[] { "support" } }, "name" },
        { "POST", "/api/v1/agents", new { email = "a@helpdesk.test", name = "Tab\tName", role = "agent", teams = new[] { "support" } }, "name" },
        { "POST", "/api/v1/agents", new { email = "a@helpdesk.test", name = "A", role = "agent", teams = new[] { Long(101) } }, "teams[0]" },
        { "POST", "/api/v1/tokens", new { email = "root@helpdesk.test", name = Long(401) }, "name" },
        { "POST", "/api/v1/tokens", new { email = "root@helpdesk.test", name = "line\r\nbreak" }, "name" },
        { "POST", "/api/v1/teams", new { name = Long(101), displayName = "T" }, "name" },
        { "POST", "/api/v1/teams", new { name = "tier-3", displayName = Long(201) }, "displayName" },
        { "POST", "/api/v1/teams", new { name = "tier-3", displayName = "Tier\u2028Three" }, "displayName" },
        { "PUT", $"/api/v1/calendars/{Long(101)}", new { timeZone = "UTC", twentyFourSeven = true }, "name" },
        { "PUT", $"/api/v1/sla-policies/{Long(101)}", new { position = 1, calendar = "always", targets = new { normal = new { firstResponse = "PT1H" } } }, "name" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Rejects_text_too_long_for_its_column_or_with_control_characters_with_400_naming_the_field(string method, string path, object body, string field)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{n}", _ticket.ToString())) { Content = JsonContent.Create(body) };

        var response = await _admin.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var errors = (await response.JsonAsync()).GetProperty("errors");
        errors.EnumerateObject().Select(e => e.Name).Should().Contain(field);
    }

    [Fact]
    public async Task Accepts_text_exactly_as_long_as_its_column_and_line_breaks_in_bodies()
    {
        var response = await _admin.PostAsJsonAsync("/api/v1/tickets", Ticket(subject: Long(300), body: "Line one\r\nLine two\tindented", name: Long(200)));
        response.StatusCode.Should().Be(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("GET", "/api/v1/tickets/abc", 404)]
    [InlineData("GET", "/api/v1/tickets/99999999999999", 404)]
    [InlineData("GET", "/api/v1/no-such-thing", 404)]
    [InlineData("DELETE", "/api/v1/tickets", 405)]
    [InlineData("POST", "/api/v1/tickets/abc/replies", 404)]
    [InlineData("POST", "/api/v1/notifications/not-a-guid/read", 404)]
    public async Task Answers_path_errors_under_the_api_with_problem_details(string method, string path, int status)
    {
        var response = await _admin.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        ((int)response.StatusCode).Should().Be(status);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        (await response.JsonAsync()).GetProperty("status").GetInt32().Should().Be(status);
    }

    [Fact]
    public async Task Answers_malformed_json_with_a_400_problem()
    {
        var response = await _admin.PostAsync("/api/v1/tickets", new StringContent("{\"subject\": ", System.Text.Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
    }
}
