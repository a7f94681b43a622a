using HelpDesk.Application.Agents.CreateAgent;
using HelpDesk.Application.Configuration.PutCalendar;
using HelpDesk.Application.Configuration.PutSlaPolicy;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Teams.CreateTeam;
using HelpDesk.Application.Tickets.CreateTicket;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Web.Hosting;

/// <summary>
/// Demo data for a first look: two teams, a business-hours calendar and a 24/7 one, SLA policies, an admin, a lead,
/// two agents and a handful of tickets. Everything goes through the same commands the API uses.
/// </summary>
public static class DemoData
{
    public const string AdminEmail = "admin@helpdesk.test";
    public const string DemoPassword = "helpdesk-demo";

    /// <returns>False when the database already has agents (nothing is seeded twice).</returns>
    public static async Task<bool> SeedAsync(IServiceProvider services, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        if (await db.Agents.AnyAsync(ct)) return false;
        var m = scope.ServiceProvider.GetRequiredService<IMediator>();

        await m.Send(new CreateTeam("support", "Support"), ct);
        await m.Send(new CreateTeam("billing", "Billing"), ct);
        var weekdays = new[] { "monday", "tuesday", "wednesday", "thursday", "friday" }
            .ToDictionary(d => d, _ => new List<List<string>> { new() { "09:00", "17:00" } });
        await m.Send(new PutCalendar("business-hours", new CalendarBody("Europe/Berlin", weekdays, ["2026-12-24", "2026-12-25", "2026-12-26", "2027-01-01"])), ct);
        await m.Send(new PutCalendar("always", new CalendarBody("UTC", null, null, TwentyFourSeven: true)), ct);
        await m.Send(new PutSlaPolicy("urgent-around-the-clock", new PolicyBody(1, "always",
            new ConditionsBody(["urgent"], null, null, null, null),
            new Dictionary<string, TargetsBody> { ["urgent"] = new("PT1H", "PT2H", "PT8H") }, null, null)), ct);
        await m.Send(new PutSlaPolicy("standard", new PolicyBody(10, "business-hours", null,
            new Dictionary<string, TargetsBody>
            {
                ["urgent"] = new("PT1H", "PT2H", "PT8H"),
                ["high"] = new("PT4H", "PT8H", "PT24H"),
                ["normal"] = new("PT8H", "PT16H", "PT40H"),
                ["low"] = new("PT16H", "PT24H", "PT80H"),
            }, null, null)), ct);

        await m.Send(new CreateAgent(AdminEmail, "Alex Admin", "admin", ["support", "billing"], DemoPassword, MustChangePassword: true), ct);
        await m.Send(new CreateAgent("lena.lead@helpdesk.test", "Lena Lead", "lead", ["support"], DemoPassword, MustChangePassword: true), ct);
        await m.Send(new CreateAgent("dana@helpdesk.test", "Dana Agent", "agent", ["support"], DemoPassword, MustChangePassword: true), ct);
        await m.Send(new CreateAgent("bo@helpdesk.test", "Bo Agent", "agent", ["billing"], DemoPassword, MustChangePassword: true), ct);

        (string Subject, string Body, string Email, string Name, string Priority, string Team)[] tickets =
        [
            ("Cannot log in after password reset", "Hi, since resetting my password this morning the login page says my account is locked.", "maria@example.test", "Maria Lopez", "high", "support"),
            ("Invoice 2026-114 charged twice", "Our card was charged twice for invoice 2026-114. Please refund one of them.", "finance@acme.test", "ACME Finance", "normal", "billing"),
            ("Production is down", "Every request to the API returns 503 since 10:12. This blocks all our shops.", "ops@shopco.test", "ShopCo Ops", "urgent", "support"),
            ("Export to CSV misses the last column", "When I export my report the 'status' column is empty.", "jonas@example.test", "Jonas Berg", "low", "support"),
            ("Change of billing address", "Please use our new address from next month on: Hauptstr. 5, Berlin.", "office@example.test", "Office Team", "normal", "billing"),
        ];
        foreach (var t in tickets)
            await m.Send(new CreateTicket(t.Subject, t.Body, new RequesterInput(t.Email, t.Name), t.Priority, t.Team, "email"), ct);
        return true;
    }
}

/// <summary>On start: migrate the database, and on a brand-new one seed the demo data (unless turned off).</summary>
public sealed class FirstStart(IServiceProvider services, IConfiguration configuration, ILogger<FirstStart> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using (var scope = services.CreateAsyncScope())
            await DatabaseSetup.MigrateAsync(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>(), ct);
        if (!configuration.GetValue("HelpDesk:SeedDemo", true)) return;
        if (await DemoData.SeedAsync(services, ct))
            logger.LogWarning("Demo data seeded. Sign in as {Email} with the demo password from the README, and change it before real use.",
                DemoData.AdminEmail);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
