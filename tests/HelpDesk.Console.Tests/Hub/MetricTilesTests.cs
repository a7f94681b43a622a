using HelpDesk.Console.Tests.Infrastructure;
using NodaTime;

namespace HelpDesk.Console.Tests.Hub;

/// <summary>The metric tiles through the real API: business time from each ticket's SLA ledger (metrics.md).</summary>
public sealed class MetricTilesTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task Tiles_report_first_response_resolution_and_first_contact_resolution_in_business_time()
    {
        await server.Factory.UseBusinessHoursPolicyAsync(firstResponse: "PT4H", resolution: "PT24H");
        var agent = await server.AgentAsync("metrics", "pi");
        var outsider = await server.AgentAsync("other", "rho");
        var quick = await agent.CreateTicketAsync("pi");
        var slow = await agent.CreateTicketAsync("pi");
        var elsewhere = await outsider.CreateTicketAsync("rho");

        // Monday 09:00 Berlin + 1 h: quick is answered and solved with one reply (first contact resolution).
        server.Factory.Clock.Advance(Duration.FromHours(1));
        (await agent.PostAsync($"/api/v1/tickets/{quick}/replies", new { body = "Fixed." })).EnsureSuccessStatusCode();
        (await agent.PostAsync($"/api/v1/tickets/{quick}/status", new { status = "solved" })).EnsureSuccessStatusCode();
        (await outsider.PostAsync($"/api/v1/tickets/{elsewhere}/replies", new { body = "Other team." })).EnsureSuccessStatusCode();
        // + 2 h more (3 h): slow gets its first answer; then again a second and solved at 13:00 (4 h): not first contact.
        server.Factory.Clock.Advance(Duration.FromHours(2));
        (await agent.PostAsync($"/api/v1/tickets/{slow}/replies", new { body = "Looking." })).EnsureSuccessStatusCode();
        server.Factory.Clock.Advance(Duration.FromHours(1));
        (await agent.PostAsync($"/api/v1/tickets/{slow}/replies", new { body = "Done now." })).EnsureSuccessStatusCode();
        (await agent.PostAsync($"/api/v1/tickets/{slow}/status", new { status = "solved" })).EnsureSuccessStatusCode();

        var tiles = await agent.GetAsync("/api/v1/console/tiles?timeZone=Europe/Berlin");
        foreach (var period in new[] { "today", "last7Days" })
        {
            var p = tiles.GetProperty(period);
            var frt = p.GetProperty("firstResponse");
            frt.GetProperty("count").GetInt32().Should().Be(2, "the other team's ticket is not the caller's");
            frt.GetProperty("meanMs").GetInt64().Should().Be(2 * 3600_000);   // (1 h + 3 h) / 2
            frt.GetProperty("medianMs").GetInt64().Should().Be(2 * 3600_000);
            frt.GetProperty("attainment").GetDouble().Should().Be(1.0);
            frt.GetProperty("targetMs").GetInt64().Should().Be(4 * 3600_000);
            var resolution = p.GetProperty("resolution");
            resolution.GetProperty("count").GetInt32().Should().Be(2);
            resolution.GetProperty("meanMs").GetInt64().Should().Be((long)(2.5 * 3600_000)); // (1 h + 4 h) / 2
            var fcr = p.GetProperty("firstContactResolution");
            fcr.GetProperty("solved").GetInt32().Should().Be(2);
            fcr.GetProperty("firstContact").GetInt32().Should().Be(1);
            fcr.GetProperty("rate").GetDouble().Should().Be(0.5);
        }
    }
}
