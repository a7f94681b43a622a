using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Application.Mail;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Mail.Tests.Api;

/// <summary>The admins' outbox, one quarantined message, the counts and the settings health (docs/email.md).</summary>
public sealed class MailAdminTests : IDisposable
{
    private readonly MailDeskFactory _desk = new();

    public void Dispose() => _desk.Dispose();

    private async Task<(HttpClient Admin, int Ticket)> TicketWithReplyAsync()
    {
        var admin = await _desk.AgentClientAsync("admin@example.test", "admin", "support");
        var created = await admin.PostAsJsonAsync("/api/v1/tickets", new { subject = "Hi", body = "Help", requester = new { email = "c@example.test", name = "C" }, team = "support" });
        var number = (await created.JsonAsync()).GetProperty("number").GetInt32();
        (await admin.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "Answer", visibility = "public" })).EnsureSuccessStatusCode();
        return (admin, number);
    }

    [Fact]
    public async Task A_failed_mail_is_found_viewed_retried_and_cancelled_and_a_sent_one_is_left_alone()
    {
        var (admin, number) = await TicketWithReplyAsync();
        var reply = await _desk.DbAsync(db => db.Set<OutboxMail>().SingleAsync(m => m.TicketNumber == number && m.Kind == "reply"));
        // As the sender leaves a mail the server refused for good.
        await _desk.DbAsync(db => db.Set<OutboxMail>().Where(m => m.Id == reply.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.State, OutboxState.Failed).SetProperty(m => m.Attempts, 1).SetProperty(m => m.LastError, "refused: 550 no such user")));

        var failed = await (await admin.GetAsync($"/api/v1/mail/outbox?state=failed&ticket={number}")).JsonAsync();
        failed.GetProperty("total").GetInt32().Should().Be(1);
        var item = failed.GetProperty("items")[0];
        item.GetProperty("id").GetGuid().Should().Be(reply.Id);
        item.GetProperty("lastError").GetString().Should().Contain("550");
        (await (await admin.GetAsync("/api/v1/mail/outbox?to=C@EXAMPLE.TEST&limit=1")).JsonAsync()).GetProperty("items").GetArrayLength().Should().Be(1);
        var view = await (await admin.GetAsync($"/api/v1/mail/outbox/{reply.Id}")).JsonAsync();
        view.GetProperty("bodyText").GetString().Should().Contain("Answer");
        (await (await admin.GetAsync("/api/v1/mail/counts")).JsonAsync()).GetProperty("outbox").GetProperty("failed").GetInt32().Should().Be(1);

        var retried = await (await admin.PostAsync($"/api/v1/mail/outbox/{reply.Id}/retry", null)).JsonAsync();
        retried.GetProperty("state").GetString().Should().Be("pending");
        var cancelled = await (await admin.PostAsync($"/api/v1/mail/outbox/{reply.Id}/cancel", null)).JsonAsync();
        cancelled.GetProperty("state").GetString().Should().Be("cancelled");
        var again = await admin.PostAsync($"/api/v1/mail/outbox/{reply.Id}/retry", null);
        again.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString().Should().Be("outbox.not_retryable");
        (await _desk.DbAsync(db => db.Set<OutboxMail>().SingleAsync(m => m.Id == reply.Id))).State.Should().Be(OutboxState.Cancelled);

        await _desk.DbAsync(db => db.Set<OutboxMail>().Where(m => m.TicketNumber == number && m.Kind != "reply").ExecuteUpdateAsync(s => s.SetProperty(m => m.State, OutboxState.Sent)));
        var sent = (await (await admin.GetAsync($"/api/v1/mail/outbox?state=sent&ticket={number}")).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        foreach (var s in sent)
            (await admin.PostAsync($"/api/v1/mail/outbox/{s.GetProperty("id").GetGuid()}/cancel", null)).StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        (await admin.GetAsync("/api/v1/mail/outbox?state=lost")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await admin.GetAsync($"/api/v1/mail/outbox/{Guid.NewGuid()}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Retrying_and_cancelling_a_mail_are_audited_and_a_refused_retry_is_not()
    {
        var (admin, number) = await TicketWithReplyAsync();
        var reply = await _desk.DbAsync(db => db.Set<OutboxMail>().SingleAsync(m => m.TicketNumber == number && m.Kind == "reply"));
        await _desk.DbAsync(db => db.Set<OutboxMail>().Where(m => m.Id == reply.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.State, OutboxState.Failed).SetProperty(m => m.Attempts, 3).SetProperty(m => m.LastError, "refused: 550 no such user")));

        (await admin.PostAsync($"/api/v1/mail/outbox/{reply.Id}/retry", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PostAsync($"/api/v1/mail/outbox/{reply.Id}/cancel", null)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await admin.PostAsync($"/api/v1/mail/outbox/{reply.Id}/retry", null)).StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);

        var rows = (await (await admin.GetAsync("/api/v1/audit-log?action=outbox.")).JsonAsync()).GetProperty("items").EnumerateArray().ToList();
        rows.Select(r => (r.GetProperty("action").GetString(), r.GetProperty("target").GetString(), r.GetProperty("actor").GetString()))
            .Should().Equal(("outbox.cancelled", reply.Id.ToString(), "admin@example.test"), ("outbox.retried", reply.Id.ToString(), "admin@example.test"));
        var retried = JsonDocument.Parse(rows[1].GetProperty("after").GetString()!).RootElement;
        retried.GetProperty("stateBefore").GetString().Should().Be("failed");
        retried.GetProperty("to").GetString().Should().Be("c@example.test");
        retried.GetProperty("ticket").GetInt32().Should().Be(number);
        retried.GetProperty("lastError").GetString().Should().Contain("550");
        JsonDocument.Parse(rows[0].GetProperty("after").GetString()!).RootElement.GetProperty("stateBefore").GetString().Should().Be("pending");
    }

    [Fact]
    public async Task A_quarantined_message_is_shown_sanitised_with_its_headers_and_counted()
    {
        var admin = await _desk.AgentClientAsync("admin@example.test", "admin", "support");
        var raw = "To: support@helpdesk.test\r\nSubject: No sender here\r\nMessage-ID: <q-view@x.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
                  "<p onclick=\"steal()\">Please <b>call</b> me</p><script>alert(1)</script><img src=\"https://tracker.example/p.png\">\r\n";
        (await _desk.IngestAsync(raw)).ReasonCode.Should().Be(QuarantineReason.NoSender);
        var id = (await (await admin.GetAsync("/api/v1/mail/quarantine?mailbox=mailgate&offset=0&limit=10")).JsonAsync())[0].GetProperty("id").GetGuid();

        var view = await (await admin.GetAsync($"/api/v1/mail/quarantine/{id}")).JsonAsync();
        view.GetProperty("mail").GetProperty("reasonCode").GetString().Should().Be("no_sender");
        view.GetProperty("headers").GetString().Should().Contain("Subject: No sender here").And.NotContain("<script>");
        var html = view.GetProperty("html").GetString();
        html.Should().Contain("<b>call</b>").And.NotContain("script").And.NotContain("onclick").And.NotContain(" src=\"https://tracker.example").And.Contain("data-blocked-src");
        view.GetProperty("text").GetString().Should().Contain("Please call me");
        (await (await admin.GetAsync("/api/v1/mail/quarantine?offset=1")).JsonAsync()).GetArrayLength().Should().Be(0);
        var counts = await (await admin.GetAsync("/api/v1/mail/counts")).JsonAsync();
        counts.GetProperty("quarantined").GetInt32().Should().Be(1);
        counts.GetProperty("quarantineByReason").GetProperty("no_sender").GetInt32().Should().Be(1);
        (await admin.GetAsync($"/api/v1/mail/quarantine/{Guid.NewGuid()}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Settings_health_names_what_is_missing_what_it_breaks_and_the_fix()
    {
        var (admin, _) = await TicketWithReplyAsync();
        await _desk.SendAsync(new Application.Agents.CreateAgent.CreateAgent("demo@example.test", "Demo", "agent", ["support"], HelpDesk.Web.Hosting.DemoData.DemoPassword));

        var health = await (await admin.GetAsync("/api/v1/admin/health")).JsonAsync();
        health.GetProperty("ok").GetBoolean().Should().BeFalse();
        var findings = health.GetProperty("findings").EnumerateArray().ToDictionary(f => f.GetProperty("code").GetString()!);
        findings.Keys.Should().BeEquivalentTo("surveys.no_public_base_url", "mail.no_smtp", "mail.no_mailbox", "security.demo_password");
        findings["mail.no_smtp"].GetProperty("breaks").GetString().Should().Contain("waiting now").And.MatchRegex("\\([1-9][0-9]* waiting now\\)");
        findings["security.demo_password"].GetProperty("problem").GetString().Should().Contain("demo@example.test").And.NotContain("admin@example.test");
        foreach (var f in findings.Values) f.GetProperty("fix").GetString().Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task The_openapi_document_describes_the_mailbox_outbox_and_health_routes()
    {
        var paths = (await (await _desk.CreateClient().GetAsync("/openapi/v1.json")).JsonAsync()).GetProperty("paths");
        foreach (var path in new[] { "/api/v1/mailboxes", "/api/v1/mailboxes/{id}", "/api/v1/mailboxes/{id}/test", "/api/v1/mailboxes/test", "/api/v1/mail/outbox",
                     "/api/v1/mail/outbox/{id}", "/api/v1/mail/outbox/{id}/retry", "/api/v1/mail/outbox/{id}/cancel", "/api/v1/mail/counts",
                     "/api/v1/mail/quarantine/{id}", "/api/v1/admin/health" })
            paths.TryGetProperty(path, out _).Should().BeTrue(path);
        var mailbox = paths.GetProperty("/api/v1/mailboxes/{id}");
        mailbox.EnumerateObject().Select(p => p.Name).Should().Contain(["get", "put", "delete"]);
    }
}
