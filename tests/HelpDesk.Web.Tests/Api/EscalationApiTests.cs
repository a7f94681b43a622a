using System.Net;
using System.Net.Http.Json;
using HelpDesk.Application.Sla.DueQueue;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Web.Tests.Api;

public sealed class EscalationApiTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _admin = await _factory.AgentClientAsync("admin@helpdesk.test", "admin", "support");
        await _factory.UseBusinessHoursPolicyAsync(firstResponse: "PT4H");
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task A_breach_escalates_through_the_rule_and_reaches_the_notifications_api()
    {
        var dana = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        var rule = await _admin.PutAsJsonAsync("/api/v1/escalation-rules/breach-ladder", new
        {
            position = 1,
            steps = new object[]
            {
                new { when = new { type = "sla_breached", metric = "firstResponse" },
                      actions = new object[] { new { type = "notify", target = "team" }, new { type = "raise_priority" }, new { type = "add_tag", tag = "escalated" } } },
            },
        });
        rule.StatusCode.Should().Be(HttpStatusCode.OK, await rule.Content.ReadAsStringAsync());
        var number = await dana.CreateTicketNumberAsync(priority: "normal");

        _factory.Clock.Advance(Duration.FromHours(4) + Duration.FromSeconds(1));
        await _factory.Services.GetRequiredService<SlaDueQueue>().FireDueAsync(CancellationToken.None);

        var ticket = await (await dana.GetAsync($"/api/v1/tickets/{number}")).JsonAsync();
        ticket.GetProperty("priority").GetString().Should().Be("high");
        ticket.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Should().Contain("escalated");
        var notifications = await (await dana.GetAsync("/api/v1/notifications")).JsonAsync();
        notifications.EnumerateArray().Select(n => n.GetProperty("kind").GetString()).Should().Contain(["sla.breached", "escalation"]);
    }

    [Fact]
    public async Task An_invalid_rule_gets_400_naming_the_json_path()
    {
        var response = await _admin.PutAsJsonAsync("/api/v1/escalation-rules/bad", new
        {
            steps = new object[] { new { when = new { type = "sla_breached", metric = "any" }, actions = new object[] { new { type = "reassign", team = "no-such-team" } } } },
        });

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync()).GetProperty("errors").EnumerateObject().Select(e => e.Name).Should().Contain("steps[0].actions[0].team");
    }

    [Fact]
    public async Task Only_admins_put_escalation_rules()
    {
        var dana = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        var response = await dana.PutAsJsonAsync("/api/v1/escalation-rules/r", new { steps = Array.Empty<object>() });
        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }
}
