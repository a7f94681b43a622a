using System.Net;
using System.Net.Http.Json;
using System.Text;
using HelpDesk.Application.Sla.DueQueue;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Web.Tests.Api;

/// <summary>The breach review and CSV export over HTTP: status codes, problem details, JSON shape, file headers.</summary>
public sealed class BreachApiTests : IAsyncLifetime
{
    private const string Monday = "from=2026-03-02&to=2026-03-02&tz=Europe/Berlin";
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _lead = null!;
    private HttpClient _agent = null!;
    private int _number;

    public async Task InitializeAsync()
    {
        _lead = await _factory.AgentClientAsync("lena@helpdesk.test", "lead", "support");
        _agent = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        await _factory.UseBusinessHoursPolicyAsync(firstResponse: "PT4H");
        _number = await _agent.CreateTicketNumberAsync();
        _factory.Clock.Advance(Duration.FromHours(4) + Duration.FromSeconds(1)); // first response breaches at 13:00 Berlin
        await _factory.Services.GetRequiredService<SlaDueQueue>().FireDueAsync(CancellationToken.None);
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task A_lead_gets_the_breach_with_its_explanation()
    {
        var response = await _lead.GetAsync($"/api/v1/breaches?{Monday}");

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var page = await response.JsonAsync();
        page.GetProperty("total").GetInt32().Should().Be(1);
        page.GetProperty("pageSize").GetInt32().Should().Be(50);
        var item = page.GetProperty("items")[0];
        item.GetProperty("ticketNumber").GetInt32().Should().Be(_number);
        item.GetProperty("subject").GetString().Should().Be("Cannot log in");
        item.GetProperty("team").GetProperty("name").GetString().Should().Be("support");
        item.GetProperty("metric").GetString().Should().Be("firstResponse");
        item.GetProperty("targetMs").GetInt64().Should().Be(4 * 3_600_000L);
        item.GetProperty("breachedAt").GetString().Should().Be("2026-03-02T12:00:00Z");
        item.GetProperty("attributedTo").GetProperty("team").GetString().Should().Be("support");
        item.GetProperty("attributedTo").GetProperty("agentId").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        item.GetProperty("shares")[0].GetProperty("countedMs").GetInt64().Should().Be(4 * 3_600_000L);
        item.GetProperty("segments")[0].GetProperty("kind").GetString().Should().Be("counting");
        item.GetProperty("acknowledgement").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task An_agent_gets_403_problem_details()
    {
        foreach (var url in new[] { $"/api/v1/breaches?{Monday}", $"/api/v1/reports/tickets.csv?{Monday}", $"/api/v1/reports/cycles.csv?{Monday}" })
        {
            var response = await _agent.GetAsync(url);
            response.StatusCode.Should().Be(HttpStatusCode.Forbidden, url);
            response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        }
        var acknowledge = await _agent.PostAsJsonAsync($"/api/v1/breaches/{_number}/firstResponse/1/acknowledgement", new { category = "staffing", note = "" });
        acknowledge.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Invalid_parameters_get_400_naming_the_field()
    {
        var response = await _lead.GetAsync("/api/v1/breaches?from=2026-02-30&to=2026-03-02&metric=speed&acknowledged=maybe&pageSize=0&tz=Nowhere/City");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name)
            .Should().BeEquivalentTo("from", "metric", "acknowledged", "pageSize", "tz");

        var acknowledge = await _lead.PostAsJsonAsync($"/api/v1/breaches/{_number}/firstResponse/1/acknowledgement", new { category = "bad_luck", note = "" });
        acknowledge.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await acknowledge.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).Should().Equal("category");
    }

    [Fact]
    public async Task A_lead_acknowledges_and_withdraws()
    {
        var url = $"/api/v1/breaches/{_number}/firstResponse/1/acknowledgement";

        var response = await _lead.PostAsJsonAsync(url, new { category = "customer_delay", note = "Waited on the customer's logs." });

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var acknowledgement = (await response.JsonAsync()).GetProperty("acknowledgement");
        acknowledgement.GetProperty("category").GetString().Should().Be("customer_delay");
        acknowledgement.GetProperty("by").GetString().Should().Be("lena");
        var listed = await (await _lead.GetAsync($"/api/v1/breaches?{Monday}&acknowledged=true")).JsonAsync();
        listed.GetProperty("total").GetInt32().Should().Be(1);

        (await _lead.DeleteAsync(url)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await _lead.GetAsync($"/api/v1/breaches?{Monday}&acknowledged=true")).JsonAsync()).GetProperty("total").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task Unknown_cycles_get_404_and_other_teams_leads_403()
    {
        (await _lead.PostAsJsonAsync($"/api/v1/breaches/{_number}/resolution/1/acknowledgement", new { category = "process" }))
            .StatusCode.Should().Be(HttpStatusCode.NotFound, "the resolution clock did not breach");
        (await _lead.PostAsJsonAsync("/api/v1/breaches/99999/firstResponse/1/acknowledgement", new { category = "process" }))
            .StatusCode.Should().Be(HttpStatusCode.NotFound);

        var billingLead = await _factory.AgentClientAsync("bo@helpdesk.test", "lead", "billing");
        (await billingLead.PostAsJsonAsync($"/api/v1/breaches/{_number}/firstResponse/1/acknowledgement", new { category = "process" }))
            .StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await billingLead.GetAsync($"/api/v1/breaches?{Monday}&team=support")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await (await billingLead.GetAsync($"/api/v1/breaches?{Monday}")).JsonAsync()).GetProperty("total").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task The_csv_comes_as_a_dated_utf8_attachment_with_a_bom()
    {
        foreach (var (path, firstColumns) in new[] { ("tickets", "number,subject,team"), ("cycles", "ticket,metric,cycle") })
        {
            var response = await _lead.GetAsync($"/api/v1/reports/{path}.csv?{Monday}");

            response.StatusCode.Should().Be(HttpStatusCode.OK);
            response.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
            response.Content.Headers.ContentType.CharSet.Should().Be("utf-8");
            response.Content.Headers.ContentDisposition!.DispositionType.Should().Be("attachment");
            response.Content.Headers.ContentDisposition.FileName.Should().Be($"{path}-2026-03-02-to-2026-03-02.csv");
            var bytes = await response.Content.ReadAsByteArrayAsync();
            bytes.Take(3).Should().Equal(0xEF, 0xBB, 0xBF);
            var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
            text.Should().StartWith(firstColumns);
            text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(2, "a header and the one ticket or cycle");
        }
    }
}
