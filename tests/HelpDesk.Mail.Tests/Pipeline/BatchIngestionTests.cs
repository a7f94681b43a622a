using System.Text;
using HelpDesk.Application.Mail;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Mail.Tests.Pipeline;

/// <summary>
/// Several messages ingested together (an IMAP fetch, concurrent mailgate hand-offs): raw bytes in one commit,
/// processing in one more, each message under its own savepoint.
/// </summary>
public sealed class BatchIngestionTests(DeskFixture fixture) : IClassFixture<DeskFixture>
{
    private readonly MailDeskFactory _desk = fixture.Desk;

    private async Task<IReadOnlyList<MailOutcome>> IngestBatchAsync(params string[] messages)
    {
        await using var scope = _desk.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MailIngestor>().IngestBatchAsync(MailIngestor.MailgateMailbox,
            messages.Select(m => new IncomingMail(Encoding.UTF8.GetBytes(m), "test")).ToList(), CancellationToken.None);
    }

    private static string Sender() => $"batch.{Guid.NewGuid():N}"[..16] + "@example.test";

    [Fact]
    public async Task A_message_that_fails_in_a_batch_is_quarantined_and_its_neighbours_are_processed()
    {
        var before = Sender();
        var after = Sender();
        var brokenId = Mime.NewId();
        var broken = "To: support@helpdesk.test\r\nSubject: nobody sent me\r\nMessage-ID: " + brokenId + "\r\n\r\nbody\r\n";

        var outcomes = await IngestBatchAsync(Mime.Message(from: before), broken, Mime.Message(from: after));

        outcomes.Select(o => o.Outcome).Should().Equal(MailOutcome.Created, MailOutcome.Quarantined, MailOutcome.Created);
        outcomes[1].Reason.Should().Contain("From");
        outcomes[0].Ticket.Should().NotBe(outcomes[2].Ticket);
        var requesters = await _desk.DbAsync(db => db.Tickets.Where(t => t.Number == outcomes[0].Ticket || t.Number == outcomes[2].Ticket)
            .Join(db.Customers, t => t.RequesterId, c => c.Id, (t, c) => c.Email).ToListAsync());
        requesters.Should().BeEquivalentTo([before, after]);
        var quarantined = await _desk.DbAsync(db => db.Set<InboundMail>().SingleAsync(m => m.MessageId == brokenId.Trim('<', '>')));
        quarantined.State.Should().Be(InboundState.Quarantined);
        quarantined.TicketNumber.Should().BeNull();
        quarantined.Raw.Should().Equal(Encoding.UTF8.GetBytes(broken), "the raw bytes are kept for reprocessing");
        (await _desk.DbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.To == before || m.To == after))).Should().Be(2, "each good message got its acknowledgement, once");
    }

    [Fact]
    public async Task A_message_repeated_inside_one_batch_is_stored_once_and_the_copy_names_the_same_ticket()
    {
        var message = Mime.Message(from: Sender(), messageId: Mime.NewId());

        var outcomes = await IngestBatchAsync(message, message);

        outcomes[0].Outcome.Should().Be(MailOutcome.Created);
        outcomes[1].Should().Be(new MailOutcome(MailOutcome.Duplicate, outcomes[0].Ticket, outcomes[0].Article, outcomes[1].Reason));
        outcomes[1].Reason.Should().Contain("already received");
        (await _desk.DbAsync(db => db.Articles.CountAsync(a => db.Tickets.Any(t => t.Id == a.TicketId && t.Number == outcomes[0].Ticket)))).Should().Be(1);
    }

    [Fact]
    public async Task A_reply_in_the_same_batch_as_the_message_it_answers_threads_into_the_ticket_the_batch_opened()
    {
        var from = Sender();
        var first = Mime.NewId();

        var outcomes = await IngestBatchAsync(
            Mime.Message(from: from, subject: "Printer on fire", messageId: first),
            Mime.Message(from: from, subject: "Re: Printer on fire", inReplyTo: first, body: "Now it is out."));

        outcomes.Select(o => o.Outcome).Should().Equal(MailOutcome.Created, MailOutcome.Appended);
        outcomes[1].Ticket.Should().Be(outcomes[0].Ticket);
        outcomes[1].Reason.Should().Be(MailThreading.References);
    }

    [Fact]
    public async Task A_batch_commits_the_raw_bytes_before_processing_so_a_crash_in_between_leaves_them_to_resume()
    {
        var crash = new CrashAfterRawStore(() => new InvalidOperationException("crash after the raw bytes were committed"));
        using var desk = new MailDeskFactory(services: crash.AddTo);
        _ = desk.Services;
        await desk.EnsureTeamAsync("support");
        var messages = new[] { Mime.Message(from: Sender()), Mime.Message(from: Sender()), Mime.Message(from: Sender()) }
            .Select(m => new IncomingMail(Encoding.UTF8.GetBytes(m), "test")).ToList();

        await using (var scope = desk.Services.CreateAsyncScope())
        {
            var ingest = () => scope.ServiceProvider.GetRequiredService<MailIngestor>().IngestBatchAsync("mailgate", messages, CancellationToken.None);
            await ingest.Should().ThrowAsync<InvalidOperationException>().WithMessage("crash*");
        }
        (await desk.DbAsync(db => db.Set<InboundMail>().CountAsync(m => m.State == InboundState.Stored))).Should().Be(3);
        (await desk.DbAsync(db => db.Tickets.CountAsync())).Should().Be(0);

        await using (var scope = desk.Services.CreateAsyncScope())
        {
            var again = await scope.ServiceProvider.GetRequiredService<MailIngestor>().IngestBatchAsync("mailgate", messages, CancellationToken.None);
            again.Select(o => o.Outcome).Should().AllBe(MailOutcome.Created, "stored but unprocessed messages are resumed, not called duplicates");
        }
        (await desk.DbAsync(db => db.Set<InboundMail>().CountAsync())).Should().Be(3);
        (await desk.DbAsync(db => db.Tickets.CountAsync())).Should().Be(3);
    }

    [Fact]
    public async Task A_stored_message_processed_by_two_nodes_at_once_becomes_one_ticket()
    {
        var crash = new CrashAfterRawStore(() => new InvalidOperationException("crash after the raw bytes were committed"));
        using var desk = new MailDeskFactory(services: crash.AddTo);
        _ = desk.Services;
        await desk.EnsureTeamAsync("support");
        var message = new IncomingMail(Encoding.UTF8.GetBytes(Mime.Message(from: Sender())), "test");
        await using (var scope = desk.Services.CreateAsyncScope())
        {
            var ingest = () => scope.ServiceProvider.GetRequiredService<MailIngestor>().IngestBatchAsync("mailgate", [message], CancellationToken.None);
            await ingest.Should().ThrowAsync<InvalidOperationException>().WithMessage("crash*");
        }
        var stored = await desk.DbAsync(db => db.Set<InboundMail>().SingleAsync(m => m.State == InboundState.Stored));

        // Two nodes resume the same stored row at once (an IMAP fetch repeated after a lease takeover does this).
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var scope = desk.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<MailIngestor>().ProcessAsync(stored.Id, CancellationToken.None);
        }));

        outcomes.Select(o => o.Outcome).Should().BeEquivalentTo([MailOutcome.Created, MailOutcome.Duplicate]);
        outcomes.Select(o => o.Ticket).Distinct().Should().ContainSingle();
        (await desk.DbAsync(db => db.Tickets.CountAsync())).Should().Be(1);
        (await desk.DbAsync(db => db.Articles.CountAsync())).Should().Be(1);
    }
}
