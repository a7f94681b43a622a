using HelpDesk.Application.Common;
using System.Net.Http.Json;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Tickets.GetArticles;
using HelpDesk.Mail.Imap;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;
using NodaTime;

namespace HelpDesk.Mail.Tests.EndToEnd;

/// <summary>The whole channel against real Dovecot (IMAP IDLE) and Postfix (SMTP → LMTP) on loopback.</summary>
[Collection(MailServerCollection.Name)]
public sealed class MailEndToEndTests(MailServerFixture servers)
{
    private readonly ImapProbe _imap = new(servers);

    private Dictionary<string, string?> Settings(string folder, bool imap = true)
    {
        var s = new Dictionary<string, string?>
        {
            ["HelpDesk:Mail:Smtp:Host"] = "127.0.0.1",
            ["HelpDesk:Mail:Smtp:Port"] = servers.SmtpPort.ToString(),
            ["HelpDesk:Mail:IdleSeconds"] = "20",
        };
        if (imap)
        {
            s["HelpDesk:Mail:Imap:0:Name"] = "support";
            s["HelpDesk:Mail:Imap:0:Host"] = "127.0.0.1";
            s["HelpDesk:Mail:Imap:0:Port"] = servers.ImapPort.ToString();
            s["HelpDesk:Mail:Imap:0:UseTls"] = "false";
            s["HelpDesk:Mail:Imap:0:Username"] = "support";
            s["HelpDesk:Mail:Imap:0:Password"] = MailServers.Password;
            s["HelpDesk:Mail:Imap:0:Folder"] = folder;
            s["HelpDesk:Mail:Imap:0:Team"] = "support";
        }
        return s;
    }

    private static string Unique(string what) => $"{what} {Guid.NewGuid():N}"[..(what.Length + 9)];

    [Fact]
    public async Task Mail_becomes_a_ticket_is_acknowledged_threads_replies_and_carries_the_agents_answer()
    {
        var folder = $"e2e-{Guid.NewGuid():N}"[..12];
        await _imap.CreateFolderAsync("support", folder);
        using var desk = new MailDeskFactory(Settings(folder));
        var agent = await desk.AgentClientAsync("agent@example.test", "agent", "support");

        // 1. The customer's mail lands in the support mailbox: the IDLE-ing fetcher makes a ticket of it.
        var subject = Unique("Printer on fire");
        var firstId = Mime.NewId();
        await _imap.AppendAsync("support", folder, Mime.Message(from: "Carla Customer <customer@example.test>", subject: subject, messageId: firstId));
        var created = await Eventually.WaitAsync(() => desk.DbAsync(db => db.Set<InboundMail>().FirstOrDefaultAsync(m => m.Outcome == MailOutcome.Created)), "the ticket");
        var number = created.TicketNumber!.Value;
        await Eventually.UntilAsync(async () => (await _imap.FlagsAsync("support", folder)).Acknowledged == 1, "the acknowledgement on the IMAP server");

        // 2. The acknowledgement reaches the customer's mailbox through Postfix.
        var ack = (await Eventually.WaitAsync(async () => (await _imap.FindAsync("customer", subject)).FirstOrDefault(m => m.Subject?.Contains($"[#{number}]") == true), "the acknowledgement mail"));
        ack.Subject.Should().Contain(subject);
        ack.Headers["Auto-Submitted"].Should().Be("auto-replied");
        ack.Headers["X-Auto-Response-Suppress"].Should().Be("All");
        ack.Headers["Precedence"].Should().Be("bulk");
        ack.InReplyTo.Should().Be(firstId.Trim('<', '>'));
        ack.MessageId.Should().StartWith($"hd.{number}.");

        // 3. The customer answers the acknowledgement: the reply threads into the same ticket by our signed token.
        var replyId = Mime.NewId();
        await _imap.AppendAsync("support", folder, Mime.Message(from: "customer@example.test", subject: "Re: " + ack.Subject, messageId: replyId,
            inReplyTo: $"<{ack.MessageId}>", references: $"{firstId} <{ack.MessageId}>", body: "It is still smoking.\n\nOn Monday Support wrote:\n> Thank you"));
        var appended = await Eventually.WaitAsync(() => desk.DbAsync(db => db.Set<InboundMail>().FirstOrDefaultAsync(m => m.Outcome == MailOutcome.Appended)), "the reply");
        appended.TicketNumber.Should().Be(number);
        var articles = await desk.SendAsync(new GetArticles(number));
        articles.Should().HaveCount(2);
        articles[1].ThreadedBy.Should().Be(MailThreading.SignedToken);
        articles[1].Mail!.NewText.Should().Be("It is still smoking.");

        // 4. The agent answers through the API: the mail reaches the customer with the thread's headers, not as automatic mail.
        var response = await agent.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "We sent a technician.", visibility = "public" });
        response.EnsureSuccessStatusCode();
        var answer = await Eventually.WaitAsync(async () => (await _imap.FindAsync("customer", subject)).FirstOrDefault(m => m.TextBody?.Contains("technician") == true), "the agent's answer");
        answer.InReplyTo.Should().Be(replyId.Trim('<', '>'));
        answer.References.Should().Contain([firstId.Trim('<', '>'), ack.MessageId, replyId.Trim('<', '>')]);
        answer.Subject.Should().Contain($"[#{number}]");
        answer.MessageId.Should().StartWith($"hd.{number}.");
        answer.Headers.Contains("Auto-Submitted").Should().BeFalse();
        answer.From.Mailboxes.Single().Address.Should().Be(MailDeskFactory.SystemAddress);
    }

    [Fact]
    public async Task Ingestion_killed_after_storing_but_before_acknowledging_loses_and_duplicates_nothing()
    {
        var folder = $"crash-{Guid.NewGuid():N}"[..14];
        await _imap.CreateFolderAsync("support", folder);
        // The process "dies" right after the raw bytes are committed: its token is cancelled and the work stops there.
        using var die = new CancellationTokenSource();
        var crash = new CrashAfterRawStore(() =>
        {
            die.Cancel();
            return new OperationCanceledException("killed after storing the raw bytes", die.Token);
        });
        // No IMAP in the host's configuration: the test runs the fetcher itself, so it can die like a process would.
        using var desk = new MailDeskFactory(Settings(folder, imap: false), crash.AddTo);
        _ = desk.Services;
        await desk.EnsureTeamAsync("support");
        var mailbox = new ImapMailboxOptions
        {
            Name = "crashbox", Host = "127.0.0.1", Port = servers.ImapPort, UseTls = false, Username = "support", Password = MailServers.Password, Folder = folder,
        };
        await _imap.AppendAsync("support", folder, Mime.Message(from: "customer@example.test", subject: Unique("Crash test")));

        var scopes = desk.Services.GetRequiredService<IServiceScopeFactory>();
        var options = desk.Services.GetRequiredService<IOptions<MailOptions>>();
        var first = new ImapMailboxFetcher(mailbox, scopes, options, new LeaseOptions().Imap, SystemClock.Instance, NullLogger.Instance);
        await first.RunAsync(die.Token);
        die.IsCancellationRequested.Should().BeTrue("the fetcher stopped because it died after storing the raw bytes");

        var stored = await desk.DbAsync(db => db.Set<InboundMail>().SingleAsync());
        stored.State.Should().Be(InboundState.Stored, "the raw bytes were committed before the crash");
        (await _imap.FlagsAsync("support", folder)).Acknowledged.Should().Be(0, "nothing is acknowledged before it is stored and processed");

        using var stop = new CancellationTokenSource();
        var second = new ImapMailboxFetcher(mailbox, scopes, options, new LeaseOptions().Imap, SystemClock.Instance, NullLogger.Instance);
        var restarted = second.RunAsync(stop.Token);
        await Eventually.UntilAsync(async () => (await _imap.FlagsAsync("support", folder)).Acknowledged == 1, "the acknowledgement after the restart");
        stop.Cancel();
        await restarted;

        var rows = await desk.DbAsync(db => db.Set<InboundMail>().ToListAsync());
        rows.Should().ContainSingle().Which.Outcome.Should().Be(MailOutcome.Created);
        (await desk.DbAsync(db => db.Tickets.CountAsync())).Should().Be(1);
        (await desk.DbAsync(db => db.Articles.CountAsync())).Should().Be(1);
    }

    [Fact]
    public async Task Mail_waiting_in_the_folder_is_fetched_as_one_batch_acknowledged_in_full_and_checkpointed_at_the_last_uid()
    {
        var folder = $"batch-{Guid.NewGuid():N}"[..14];
        await _imap.CreateFolderAsync("support", folder);
        var subjects = Enumerable.Range(1, 7).Select(i => Unique($"Waiting {i}")).ToList();
        foreach (var subject in subjects) await _imap.AppendAsync("support", folder, Mime.Message(from: $"waiting{subjects.IndexOf(subject)}@example.test", subject: subject));
        using var desk = new MailDeskFactory(Settings(folder, imap: false));
        _ = desk.Services;
        await desk.EnsureTeamAsync("support");
        var mailbox = new ImapMailboxOptions
        {
            Name = "batchbox", Host = "127.0.0.1", Port = servers.ImapPort, UseTls = false, Username = "support", Password = MailServers.Password, Folder = folder,
        };

        using var stop = new CancellationTokenSource();
        var fetcher = new ImapMailboxFetcher(mailbox, desk.Services.GetRequiredService<IServiceScopeFactory>(),
            desk.Services.GetRequiredService<IOptions<MailOptions>>(), new LeaseOptions().Imap, SystemClock.Instance, NullLogger.Instance);
        var running = fetcher.RunAsync(stop.Token);
        await Eventually.UntilAsync(async () => (await _imap.FlagsAsync("support", folder)).Acknowledged == subjects.Count, "every waiting message acknowledged");
        // The checkpoint is saved right after the acknowledgement (a crash in between re-fetches; the keyword skips).
        await Eventually.UntilAsync(() => desk.DbAsync(db => db.Set<MailCheckpoint>().AnyAsync(c => c.LastUid == subjects.Count)),
            "the checkpoint past the last message of the batch");
        stop.Cancel();
        await running;

        var tickets = await desk.DbAsync(db => db.Tickets.Select(t => t.Subject).ToListAsync());
        tickets.Should().BeEquivalentTo(subjects);
        (await desk.DbAsync(db => db.Set<MailCheckpoint>().SingleAsync())).LastUid.Should().Be(subjects.Count);
        var sources = await desk.DbAsync(db => db.Set<InboundMail>().OrderBy(m => m.Source).Select(m => m.Source).ToListAsync());
        sources.Should().OnlyHaveUniqueItems().And.HaveCount(subjects.Count);
    }

    [Fact]
    public async Task A_public_reply_with_cc_reaches_both_mailboxes_with_a_cc_header_and_the_cc_becomes_a_participant()
    {
        using var desk = new MailDeskFactory(Settings("INBOX", imap: false));
        var agent = await desk.AgentClientAsync("agent@example.test", "agent", "support");
        var subject = Unique("Shared printer");
        var created = await agent.PostAsJsonAsync("/api/v1/tickets",
            new { subject, body = "Called in.", requester = new { email = "customer@example.test", name = "C" }, team = "support", channel = "phone" });
        created.EnsureSuccessStatusCode();
        var number = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("number").GetInt32();

        var reply = await agent.PostAsJsonAsync($"/api/v1/tickets/{number}/replies",
            new { body = "Copying your colleague who runs the printer.", visibility = "public", cc = new[] { "other@example.test" } });
        reply.EnsureSuccessStatusCode();

        var toCustomer = await Eventually.WaitAsync(async () => (await _imap.FindAsync("customer", subject)).FirstOrDefault(m => m.TextBody?.Contains("colleague") == true),
            "the reply in the customer's mailbox");
        toCustomer.To.Mailboxes.Select(m => m.Address).Should().Equal("customer@example.test");
        toCustomer.Cc.Mailboxes.Select(m => m.Address).Should().Equal("other@example.test");
        var toColleague = await Eventually.WaitAsync(async () => (await _imap.FindAsync("other", subject)).FirstOrDefault(), "the copy in the colleague's mailbox");
        toColleague.MessageId.Should().Be(toCustomer.MessageId, "one mail, delivered to both");
        var ticket = await (await agent.GetAsync($"/api/v1/tickets/{number}")).Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        ticket.GetProperty("participants").EnumerateArray().Select(p => p.GetString()).Should().Equal("other@example.test");
    }

    [Fact]
    public async Task Mail_waits_in_the_outbox_while_SMTP_is_down_and_leaves_once_when_it_is_back()
    {
        using var desk = new MailDeskFactory(Settings("INBOX", imap: false));
        var agent = await desk.AgentClientAsync("agent@example.test", "agent", "support");
        var subject = Unique("Outage");
        await servers.StopPostfixAsync();
        try
        {
            var created = await agent.PostAsJsonAsync("/api/v1/tickets", new { subject, body = "Help", requester = new { email = "customer@example.test", name = "C" }, team = "support" });
            created.EnsureSuccessStatusCode();
            var number = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("number").GetInt32();
            (await agent.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "On it.", visibility = "public" })).EnsureSuccessStatusCode();
            await Eventually.UntilAsync(() => desk.DbAsync(db => db.Set<OutboxMail>().AnyAsync(m => m.TicketNumber == number && m.Attempts >= 2 && m.State == OutboxState.Pending)),
                "failed attempts while SMTP is down");
        }
        finally
        {
            await servers.StartPostfixAsync();
        }
        var row = await Eventually.WaitAsync(() => desk.DbAsync(db => db.Set<OutboxMail>().FirstOrDefaultAsync(m => m.State == OutboxState.Sent)), "the send after SMTP is back");
        var delivered = await Eventually.WaitAsync(async () => (await _imap.FindAsync("customer", subject)).ToList() is { Count: > 0 } l ? l : null, "delivery");
        delivered.Should().ContainSingle().Which.MessageId.Should().Be(row.MessageId);
        (await desk.DbAsync(db => db.Set<OutboxMail>().SingleAsync())).State.Should().Be(OutboxState.Sent);
    }
}
