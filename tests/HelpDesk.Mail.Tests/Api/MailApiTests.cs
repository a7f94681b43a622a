using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Application.Mail;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Mail.Tests.Api;

/// <summary>Articles with their mail facts, attachment downloads and the quarantine over real HTTP.</summary>
public sealed class MailApiTests(DeskFixture fixture) : IClassFixture<DeskFixture>
{
    private readonly MailDeskFactory _desk = fixture.Desk;

    [Fact]
    public async Task Articles_show_kind_threading_sanitised_html_and_downloadable_attachments()
    {
        var agent = await _desk.AgentClientAsync($"a{Guid.NewGuid():N}"[..10] + "@example.test", "agent", "support");
        var outcome = await _desk.IngestAsync(Mime.Html("<p onclick=\"x()\">Look</p><script>bad()</script>", attachmentName: "report.pdf"));

        var articles = await (await agent.GetAsync($"/api/v1/tickets/{outcome.Ticket}/articles")).JsonAsync();
        var article = articles[0];
        article.GetProperty("kind").GetString().Should().Be("reply");
        article.GetProperty("visibility").GetString().Should().Be("public");
        article.GetProperty("threadedBy").GetString().Should().Be("new_ticket");
        article.GetProperty("bodyHtml").GetString().Should().Contain("Look").And.NotContain("script").And.NotContain("onclick");
        var attachment = article.GetProperty("attachments")[0];
        attachment.GetProperty("fileName").GetString().Should().Be("report.pdf");
        attachment.GetProperty("sha256").GetString().Should().HaveLength(64);

        var download = await agent.GetAsync(attachment.GetProperty("url").GetString());
        download.StatusCode.Should().Be(HttpStatusCode.OK);
        (await download.Content.ReadAsStringAsync()).Should().Be("%PDF-1.4 test");
        download.Content.Headers.ContentType!.MediaType.Should().Be("application/octet-stream");
        (await _desk.CreateClient().GetAsync(attachment.GetProperty("url").GetString())).StatusCode.Should().BeOneOf(HttpStatusCode.Unauthorized, HttpStatusCode.Redirect, HttpStatusCode.Found);
    }

    [Fact]
    public async Task An_agent_of_another_team_cannot_download_the_attachment()
    {
        var outcome = await _desk.IngestAsync(Mime.Html("<p>secret</p>"));
        var stranger = await _desk.AgentClientAsync($"s{Guid.NewGuid():N}"[..10] + "@example.test", "agent", "billing");
        var id = await _desk.DbAsync(db => db.Set<MailAttachment>().Where(a => a.TicketId == db.Tickets.Single(t => t.Number == outcome.Ticket).Id).Select(a => a.Id).SingleAsync());
        (await stranger.GetAsync($"/api/v1/tickets/{outcome.Ticket}/attachments/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Admins_list_quarantined_mail_and_reprocess_it_once_the_cause_is_fixed()
    {
        // A mailbox bound to a team that does not exist yet: its mail cannot be processed and is quarantined.
        using var desk = new MailDeskFactory(new Dictionary<string, string?> { ["HelpDesk:Mail:Imap:0:Name"] = "sales", ["HelpDesk:Mail:Imap:0:Team"] = "sales" });
        await desk.EnsureTeamAsync("support");
        var outcome = await desk.IngestAsync(Mime.Message(subject: "Quote please"), mailbox: "sales");
        outcome.Outcome.Should().Be(MailOutcome.Quarantined);
        outcome.Reason.Should().Contain("sales");
        (await desk.IngestAsync(Mime.Message(subject: "Next message"))).Outcome.Should().Be(MailOutcome.Created, "one bad message never blocks the ones after it");

        var admin = await desk.AgentClientAsync("admin@example.test", "admin");
        var agent = await desk.AgentClientAsync("agent@example.test", "agent", "support");
        (await agent.GetAsync("/api/v1/mail/quarantine")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var entry = (await (await admin.GetAsync("/api/v1/mail/quarantine")).JsonAsync()).EnumerateArray().Single();
        entry.GetProperty("mailbox").GetString().Should().Be("sales");
        entry.GetProperty("reason").GetString().Should().Contain("team");

        await desk.EnsureTeamAsync("sales");
        var reprocessed = await (await admin.PostAsync($"/api/v1/mail/quarantine/{entry.GetProperty("id").GetGuid()}/reprocess", null)).JsonAsync();
        reprocessed.GetProperty("outcome").GetString().Should().Be(MailOutcome.Created);
        (await (await admin.GetAsync("/api/v1/mail/quarantine")).JsonAsync()).GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task A_message_without_a_sender_is_quarantined_with_its_reason()
    {
        var outcome = await _desk.IngestAsync("To: support@helpdesk.test\r\nSubject: who am I\r\nMessage-ID: <nofrom@x.test>\r\n\r\nbody\r\n");
        outcome.Outcome.Should().Be(MailOutcome.Quarantined);
        outcome.Reason.Should().Contain("From");
    }
}

internal static class JsonExtensions
{
    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
