using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Application.Audit;
using HelpDesk.Application.Persistence;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Web.Tests.Api;

/// <summary>The audit log (issue 14): a row for every admin action and security event, in the change's unit of work.</summary>
public sealed class AuditLogApiTests : IAsyncLifetime
{
    private const string Password = "correct-horse-battery";
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _admin = null!;

    public async Task InitializeAsync() => _admin = await _factory.AgentClientAsync("alex@helpdesk.test", "admin", "support");

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private async Task<List<JsonElement>> RowsAsync(string query = "")
    {
        var page = await (await _admin.GetAsync($"/api/v1/audit-log?pageSize=500{query}")).JsonAsync();
        return page.GetProperty("items").EnumerateArray().ToList();
    }

    [Fact]
    public async Task Every_admin_action_and_security_event_leaves_a_row()
    {
        var week = new Dictionary<string, string[][]> { ["monday"] = [["09:00", "17:00"]] };
        (await _admin.PutAsJsonAsync("/api/v1/calendars/office", new { timeZone = "Europe/Berlin", week, holidays = Array.Empty<string>() })).EnsureSuccessStatusCode();
        (await _admin.PutAsJsonAsync("/api/v1/sla-policies/standard", new { position = 1, calendar = "office",
            targets = new { normal = new { firstResponse = "PT4H" } } })).EnsureSuccessStatusCode();
        (await _admin.PostAsJsonAsync("/api/v1/agents", new { email = "dana@helpdesk.test", name = "Dana", role = "agent", teams = new[] { "support" }, password = Password }))
            .EnsureSuccessStatusCode();
        (await _admin.PutAsJsonAsync("/api/v1/agents/dana@helpdesk.test", new { name = "Dana", role = "lead", teams = new[] { "support" } })).EnsureSuccessStatusCode();
        var issued = await (await _admin.PostAsJsonAsync("/api/v1/tokens", new { email = "dana@helpdesk.test", name = "ci" })).JsonAsync();
        (await _admin.DeleteAsync($"/api/v1/tokens/{issued.GetProperty("id").GetGuid()}")).EnsureSuccessStatusCode();
        var browser = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await browser.SignInAsync("dana@helpdesk.test", "wrong password");
        await browser.SignInAsync("dana@helpdesk.test", Password);
        var me = await (await browser.GetAsync("/api/v1/me")).JsonAsync();
        browser.DefaultRequestHeaders.Add("X-CSRF-TOKEN", me.GetProperty("csrfToken").GetString());
        (await browser.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = Password, newPassword = "dana's own passphrase" })).EnsureSuccessStatusCode();
        (await _admin.PostAsJsonAsync("/api/v1/agents/dana@helpdesk.test/deactivate", new { tickets = "unassign" })).EnsureSuccessStatusCode();

        var rows = await RowsAsync();

        rows.Select(r => r.GetProperty("action").GetString()).Should().Contain(
        [
            "calendar.changed", "sla_policy.changed", "agent.created", "password.set", "agent.role_changed", "token.created", "token.revoked",
            "sign_in.failed", "sign_in.succeeded", "password.changed", "agent.deactivated",
        ]);
        var roleChange = rows.Single(r => r.GetProperty("action").GetString() == "agent.role_changed");
        roleChange.GetProperty("actor").GetString().Should().Be("alex@helpdesk.test");
        roleChange.GetProperty("target").GetString().Should().Be("dana@helpdesk.test");
        JsonDocument.Parse(roleChange.GetProperty("before").GetString()!).RootElement.GetProperty("role").GetString().Should().Be("agent");
        JsonDocument.Parse(roleChange.GetProperty("after").GetString()!).RootElement.GetProperty("role").GetString().Should().Be("lead");
        rows.Single(r => r.GetProperty("action").GetString() == "password.changed").GetProperty("actor").GetString().Should().Be("dana@helpdesk.test");
        rows.Single(r => r.GetProperty("action").GetString() == "sign_in.failed").GetProperty("actor").ValueKind.Should().Be(JsonValueKind.Null);
        var everything = string.Join("\n", rows.Select(r => r.GetRawText()));
        everything.Should().NotContain("passwordHash").And.NotContain("tokenHash").And.NotContain(issued.GetProperty("token").GetString()!);
    }

    [Fact]
    public async Task A_refused_change_leaves_no_row()
    {
        var week = new Dictionary<string, string[][]> { ["monday"] = [["09:00", "17:00"]] };
        var request = new HttpRequestMessage(HttpMethod.Put, "/api/v1/calendars/office")
        {
            Content = JsonContent.Create(new { timeZone = "Europe/Berlin", week, holidays = Array.Empty<string>() }),
            Headers = { { "If-Match", "\"7\"" } },
        };

        (await _admin.SendAsync(request)).StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);

        (await RowsAsync("&action=calendar.changed")).Should().BeEmpty();
    }

    [Fact]
    public async Task The_log_is_filtered_paged_and_exported_as_csv()
    {
        foreach (var team in new[] { "one", "two", "three" })
            (await _admin.PostAsJsonAsync("/api/v1/teams", new { name = team, displayName = team })).EnsureSuccessStatusCode();
        _factory.Clock.Advance(Duration.FromHours(1));
        var later = NodaTime.Text.InstantPattern.ExtendedIso.Format(_factory.Clock.GetCurrentInstant());
        (await _admin.PostAsJsonAsync("/api/v1/teams", new { name = "four", displayName = "four" })).EnsureSuccessStatusCode();

        var page = await (await _admin.GetAsync("/api/v1/audit-log?action=team.created&pageSize=2&page=2")).JsonAsync();
        page.GetProperty("total").GetInt32().Should().Be(5, "support, one, two, three and four");
        page.GetProperty("items").GetArrayLength().Should().Be(2);
        (await RowsAsync($"&action=team.&from={Uri.EscapeDataString(later)}")).Select(r => r.GetProperty("target").GetString()).Should().Equal("four");
        (await RowsAsync("&actor=alex@helpdesk.test&target=two")).Should().ContainSingle();

        var csv = await _admin.GetAsync("/api/v1/audit-log?format=csv&action=team.created");
        csv.Content.Headers.ContentType!.MediaType.Should().Be("text/csv");
        var lines = (await csv.Content.ReadAsStringAsync()).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Be("at,action,actor,target,before,after");
        lines.Should().HaveCount(6);
        lines[^1].Should().Contain("team.created,alex@helpdesk.test,four");
        (await _admin.GetAsync("/api/v1/audit-log?from=yesterday")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Audit_rows_cannot_be_changed_and_are_swept_after_the_retention()
    {
        (await _admin.PostAsJsonAsync("/api/v1/teams", new { name = "one", displayName = "one" })).EnsureSuccessStatusCode();
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        var row = await db.AuditLog.FirstAsync(e => e.Action == "team.created" && e.Target == "one");
        row.Target = "forged";
        await FluentActions.Awaiting(() => db.SaveChangesAsync()).Should().ThrowAsync<InvalidOperationException>().WithMessage("*append-only*");
        db.ChangeTracker.Clear();

        var now = _factory.Clock.GetCurrentInstant();
        (await AuditOptions.DeleteExpiredAsync(db, now + Duration.FromDays(30), retentionDays: 31, CancellationToken.None)).Should().Be(0);
        (await AuditOptions.DeleteExpiredAsync(db, now + Duration.FromDays(32), retentionDays: 31, CancellationToken.None)).Should().BeGreaterThan(0);
        (await db.AuditLog.CountAsync()).Should().Be(0);
    }
}
