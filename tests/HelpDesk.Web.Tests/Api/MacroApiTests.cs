using System.Net;
using System.Net.Http.Json;
using HelpDesk.Web.Tests.Infrastructure;

namespace HelpDesk.Web.Tests.Api;

/// <summary>The macro routes and a ticket opened for a caller, over HTTP: status codes and problem details naming fields and variables.</summary>
public sealed class MacroApiTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _dana = null!;
    private HttpClient _lead = null!;

    public async Task InitializeAsync()
    {
        _dana = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        _lead = await _factory.AgentClientAsync("lee@helpdesk.test", "lead", "support");
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private async Task<string> CreateMacroAsync(object macro)
    {
        var response = await _lead.PostAsJsonAsync("/api/v1/macros", macro);
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = (await response.JsonAsync()).GetProperty("id").GetString()!;
        response.Headers.Location!.ToString().Should().Be($"/api/v1/macros/{id}");
        return id;
    }

    [Fact]
    public async Task Agents_get_403_managing_macros_and_leads_201_200_204()
    {
        (await _dana.PostAsJsonAsync("/api/v1/macros", new { name = "Hi", body = "Hi" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var id = await CreateMacroAsync(new { name = "Hi", team = "support", body = "Hi {{customer.firstName | \"there\"}}" });
        (await _dana.PutAsJsonAsync($"/api/v1/macros/{id}", new { name = "Hi", body = "Hello" })).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await _dana.DeleteAsync($"/api/v1/macros/{id}")).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        (await _dana.GetAsync($"/api/v1/macros/{id}")).StatusCode.Should().Be(HttpStatusCode.OK, "agents use them");
        var put = await _lead.PutAsJsonAsync($"/api/v1/macros/{id}", new { name = "Hello", body = "Hello", status = "pending" });
        put.StatusCode.Should().Be(HttpStatusCode.OK);
        (await put.JsonAsync()).GetProperty("team").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, "no team: global");
        (await _lead.DeleteAsync($"/api/v1/macros/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await _dana.GetAsync($"/api/v1/macros/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Invalid_macros_get_400_naming_each_field()
    {
        var response = await _lead.PostAsJsonAsync("/api/v1/macros",
            new { name = "", body = "Hi {{customer.shoeSize}}", visibility = "loud", status = "asleep", addTags = new[] { "no spaces" }, assignee = "someone" });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await response.JsonAsync()).GetProperty("errors");
        foreach (var field in new[] { "name", "body", "visibility", "status", "addTags[0]", "assignee" })
            errors.TryGetProperty(field, out _).Should().BeTrue(field);
        errors.GetProperty("body")[0].GetString().Should().Contain("{{customer.shoeSize}} is not a variable");
    }

    [Fact]
    public async Task A_missing_variable_without_fallback_is_a_422_naming_it_and_a_preview_changes_nothing()
    {
        var number = await _dana.CreateTicketNumberAsync();
        var id = await CreateMacroAsync(new { name = "Due", body = "We answer by {{sla.firstResponse.dueAt}}." });

        var refused = await _dana.PostAsync($"/api/v1/tickets/{number}/macros/{id}?preview=true", null);

        refused.StatusCode.Should().Be((HttpStatusCode)422, "the test desk has no SLA policy, so there is no due time");
        var problem = await refused.JsonAsync();
        problem.GetProperty("code").GetString().Should().Be("macro.variable_missing");
        problem.GetProperty("detail").GetString().Should().Contain("{{sla.firstResponse.dueAt}}");
        (await _dana.PostAsync($"/api/v1/tickets/{number}/macros/{id}", null)).StatusCode.Should().Be((HttpStatusCode)422);
        (await (await _dana.GetAsync($"/api/v1/tickets/{number}")).JsonAsync()).GetProperty("version").GetInt32().Should().Be(1);

        var fine = await CreateMacroAsync(new { name = "Due soon", body = "We answer by {{sla.firstResponse.dueAt | \"tomorrow\"}}.", status = "pending" });
        var preview = await (await _dana.PostAsync($"/api/v1/tickets/{number}/macros/{fine}?preview=true", null)).JsonAsync();
        preview.GetProperty("applied").GetBoolean().Should().BeFalse();
        preview.GetProperty("plan").GetProperty("reply").GetString().Should().Be("We answer by tomorrow.");
        var applied = await _dana.PostAsync($"/api/v1/tickets/{number}/macros/{fine}?expectedVersion=1", null);
        applied.StatusCode.Should().Be(HttpStatusCode.OK);
        (await applied.JsonAsync()).GetProperty("ticket").GetProperty("status").GetString().Should().Be("pending");
    }

    [Fact]
    public async Task A_ticket_for_a_caller_records_its_channel_and_bad_input_is_named_in_camel_case()
    {
        var created = await _dana.PostAsJsonAsync("/api/v1/tickets", new
        {
            subject = "Router blinks", body = "Called.", requester = new { email = "caller@example.test", name = "Cal Ler" }, priority = "high", team = "support",
            channel = "phone", firstReply = new { body = "Restarted it together.", visibility = "public" },
        });
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        (await created.JsonAsync()).GetProperty("channel").GetString().Should().Be("phone");
        var queue = await (await _dana.GetAsync("/api/v1/tickets?channel=phone")).JsonAsync();
        queue.GetProperty("total").GetInt32().Should().Be(1);
        var found = await (await _dana.GetAsync("/api/v1/customers?q=cal")).JsonAsync();
        found.EnumerateArray().Select(c => c.GetProperty("email").GetString()).Should().Equal("caller@example.test");

        var bad = await _dana.PostAsJsonAsync("/api/v1/tickets", new
        {
            subject = "x", body = "y", requester = new { email = "caller@example.test" }, channel = "pigeon", firstReply = new { body = "", visibility = "loud" },
        });
        bad.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await bad.JsonAsync()).GetProperty("errors");
        foreach (var field in new[] { "channel", "firstReply.body", "firstReply.visibility" })
            errors.TryGetProperty(field, out _).Should().BeTrue(field);
        (await _dana.GetAsync("/api/v1/tickets?channel=pigeon")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }
}
