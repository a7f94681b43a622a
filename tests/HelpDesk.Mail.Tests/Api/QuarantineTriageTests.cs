using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Application.Mail;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Mail.Tests.Api;

/// <summary>The admins' quarantine triage over real HTTP (docs/email.md, "Quarantine triage"): each test on its own database.</summary>
public sealed class QuarantineTriageTests : IDisposable
{
    // A mailbox bound to a team that does not exist yet: its mail is quarantined as no_team until the team is made.
    private readonly MailDeskFactory _desk = new(new Dictionary<string, string?> { ["HelpDesk:Mail:Imap:0:Name"] = "sales", ["HelpDesk:Mail:Imap:0:Team"] = "sales" });

    public void Dispose() => _desk.Dispose();

    private static string WithoutSender(string subject) =>
        $"To: support@helpdesk.test\r\nSubject: {subject}\r\nMessage-ID: {Mime.NewId()}\r\n\r\nPlease call me back.\r\n";

    private async Task<(HttpClient Admin, Guid NoTeam1, Guid NoTeam2, Guid NoSender)> QuarantineThreeAsync()
    {
        await _desk.EnsureTeamAsync("support");
        (await _desk.IngestAsync(Mime.Message(from: "Quinn Buyer <quinn@example.test>", subject: "Quote please"), mailbox: "sales")).ReasonCode.Should().Be(QuarantineReason.NoTeam);
        (await _desk.IngestAsync(Mime.Message(from: "Rita <rita@example.test>", subject: "Second quote"), mailbox: "sales")).ReasonCode.Should().Be(QuarantineReason.NoTeam);
        (await _desk.IngestAsync(WithoutSender("Who am I"))).ReasonCode.Should().Be(QuarantineReason.NoSender);
        var admin = await _desk.AgentClientAsync("admin@example.test", "admin");
        var list = (await (await admin.GetAsync("/api/v1/mail/quarantine")).JsonAsync()).EnumerateArray().ToList();
        Guid Id(string subject) => list.Single(e => e.GetProperty("subject").GetString() == subject).GetProperty("id").GetGuid();
        return (admin, Id("Quote please"), Id("Second quote"), Id("Who am I"));
    }

    private static async Task<List<JsonElement>> PostAsync(HttpClient client, string path, object body) =>
        (await (await client.PostAsync(path, JsonContent.Create(body))).JsonAsync()).EnumerateArray().ToList();

    [Fact]
    public async Task Admins_see_why_each_message_failed_and_filter_by_reason_class()
    {
        var (admin, noTeam, _, noSender) = await QuarantineThreeAsync();

        var list = (await (await admin.GetAsync("/api/v1/mail/quarantine")).JsonAsync()).EnumerateArray().ToList();
        list.Should().HaveCount(3);
        var first = list.Single(e => e.GetProperty("id").GetGuid() == noTeam);
        first.GetProperty("reasonCode").GetString().Should().Be("no_team");
        first.GetProperty("reason").GetString().Should().Contain("sales");
        first.GetProperty("from").GetString().Should().Contain("quinn@example.test");
        first.GetProperty("size").GetInt64().Should().BeGreaterThan(100);
        first.GetProperty("receivedAt").GetString().Should().NotBeNullOrEmpty();
        first.GetProperty("reprocessable").GetBoolean().Should().BeTrue();

        var filtered = (await (await admin.GetAsync("/api/v1/mail/quarantine?reason=no_sender")).JsonAsync()).EnumerateArray().ToList();
        filtered.Select(e => e.GetProperty("id").GetGuid()).Should().Equal(noSender);
        filtered[0].GetProperty("from").ValueKind.Should().Be(JsonValueKind.Null);
        filtered[0].GetProperty("reason").GetString().Should().Contain("From");

        var agent = await _desk.AgentClientAsync("agent@example.test", "agent", "support");
        (await agent.GetAsync("/api/v1/mail/quarantine")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await agent.PostAsync("/api/v1/mail/quarantine/reprocess", JsonContent.Create(new { ids = new[] { noTeam } }))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Reprocessing_by_reason_class_ingests_each_message_once_and_reports_each()
    {
        var (admin, noTeam1, noTeam2, noSender) = await QuarantineThreeAsync();
        await _desk.EnsureTeamAsync("sales");

        var results = await PostAsync(admin, "/api/v1/mail/quarantine/reprocess", new { reason = "no_team" });
        results.Select(r => (r.GetProperty("id").GetGuid(), r.GetProperty("outcome").GetString())).Should()
            .BeEquivalentTo([(noTeam1, MailOutcome.Created), (noTeam2, MailOutcome.Created)]);

        var again = await PostAsync(admin, "/api/v1/mail/quarantine/reprocess", new { ids = new[] { noTeam1, noTeam2, noSender } });
        again.Select(r => r.GetProperty("outcome").GetString()).Should().Equal(MailOutcome.Duplicate, MailOutcome.Duplicate, MailOutcome.Quarantined);
        again[2].GetProperty("reasonCode").GetString().Should().Be("no_sender", "a message that fails again stays quarantined with its reason");
        (await _desk.DbAsync(db => db.Tickets.CountAsync(t => t.Subject == "Quote please"))).Should().Be(1, "a message already ingested is not ingested twice");

        var left = (await (await admin.GetAsync("/api/v1/mail/quarantine")).JsonAsync()).EnumerateArray().ToList();
        left.Select(e => e.GetProperty("id").GetGuid()).Should().Equal(noSender);
        left[0].GetProperty("attempts").GetInt32().Should().Be(2);
    }

    [Fact]
    public async Task A_sender_supplied_by_the_admin_lets_a_message_without_one_in()
    {
        var (admin, _, _, noSender) = await QuarantineThreeAsync();

        var result = (await PostAsync(admin, "/api/v1/mail/quarantine/reprocess",
            new { ids = new[] { noSender }, senders = new Dictionary<Guid, string> { [noSender] = "Caller@Example.test" } })).Single();
        result.GetProperty("outcome").GetString().Should().Be(MailOutcome.Created);
        var article = (await (await admin.GetAsync($"/api/v1/tickets/{result.GetProperty("ticket").GetInt32()}/articles")).JsonAsync())[0];
        article.GetProperty("authorEmail").GetString().Should().Be("caller@example.test");
        article.GetProperty("bodyText").GetString().Should().Contain("Please call me back.");
        var row = await _desk.DbAsync(db => db.Set<InboundMail>().SingleAsync(m => m.Id == noSender));
        System.Text.Encoding.UTF8.GetString(row.Raw).Should().NotContain("caller@example.test", "the raw bytes stay as they came");
    }

    [Fact]
    public async Task Discarded_messages_leave_the_list_keep_their_raw_bytes_and_are_not_reprocessed()
    {
        var (admin, noTeam1, noTeam2, noSender) = await QuarantineThreeAsync();

        var results = await PostAsync(admin, "/api/v1/mail/quarantine/discard", new { ids = new[] { noSender } });
        results.Single().GetProperty("outcome").GetString().Should().Be(MailOutcome.Discarded);
        (await (await admin.GetAsync("/api/v1/mail/quarantine?reason=no_sender")).JsonAsync()).GetArrayLength().Should().Be(0);
        var row = await _desk.DbAsync(db => db.Set<InboundMail>().SingleAsync(m => m.Id == noSender));
        (row.State, row.DiscardedBy, row.Raw.Length > 0).Should().Be((InboundState.Discarded, "admin@example.test", true));

        (await PostAsync(admin, "/api/v1/mail/quarantine/reprocess", new { ids = new[] { noSender } })).Single()
            .GetProperty("outcome").GetString().Should().Be(MailOutcome.Discarded);
        (await PostAsync(admin, "/api/v1/mail/quarantine/discard", new { reason = "no_team" })).Select(r => r.GetProperty("id").GetGuid())
            .Should().BeEquivalentTo([noTeam1, noTeam2]);
        (await (await admin.GetAsync("/api/v1/mail/quarantine")).JsonAsync()).GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Rejects_triage_requests_naming_the_field_at_fault()
    {
        var (admin, noTeam, _, noSender) = await QuarantineThreeAsync();

        async Task<JsonElement> ErrorsAsync(HttpResponseMessage response)
        {
            response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        }
        (await ErrorsAsync(await admin.PostAsync("/api/v1/mail/quarantine/reprocess", JsonContent.Create(new { })))).TryGetProperty("ids", out _).Should().BeTrue();
        (await ErrorsAsync(await admin.PostAsync("/api/v1/mail/quarantine/reprocess", JsonContent.Create(new { ids = new[] { noTeam }, reason = "no_team" }))))
            .TryGetProperty("reason", out _).Should().BeTrue();
        (await ErrorsAsync(await admin.GetAsync("/api/v1/mail/quarantine?reason=gremlins"))).TryGetProperty("reason", out _).Should().BeTrue();
        (await ErrorsAsync(await admin.PostAsync("/api/v1/mail/quarantine/discard", JsonContent.Create(new { reason = "gremlins" })))).TryGetProperty("reason", out _).Should().BeTrue();
        (await ErrorsAsync(await admin.PostAsync("/api/v1/mail/quarantine/reprocess",
                JsonContent.Create(new { ids = new[] { noSender }, senders = new Dictionary<Guid, string> { [noSender] = "not an address" } }))))
            .TryGetProperty($"senders.{noSender}", out _).Should().BeTrue();
        (await _desk.DbAsync(db => db.Set<InboundMail>().SingleAsync(m => m.Id == noSender))).SenderFix.Should().BeNull("a refused request changes nothing");
    }
}
