using System.Data.Common;
using System.Text;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Testing;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Mail.Tests.Pipeline;

/// <summary>
/// A transient database failure in the middle of a batch's processing transaction (ADR 0009): the whole batch runs again
/// from its stored rows, savepoints and quarantine included, and nothing is written twice.
/// </summary>
public sealed class TransientFailureIngestionTests : IAsyncLifetime
{
    private readonly TransientFaults _faults = new();
    private readonly DeskFixture _fixture;

    public TransientFailureIngestionTests() =>
        _fixture = new DeskFixture(s => s.ConfigureDbContext<HelpDeskDbContext>((_, o) => o.AddInterceptors(_faults)));

    private MailDeskFactory Desk => _fixture.Desk;

    public Task InitializeAsync() => _fixture.InitializeAsync();

    public Task DisposeAsync() => _fixture.DisposeAsync();

    [Fact]
    public async Task A_batch_whose_third_message_fails_transiently_is_processed_once_with_its_quarantine_and_acknowledgements()
    {
        var (first, second) = ("first.sender@example.test", "second.sender@example.test");
        var brokenId = Mime.NewId();
        var broken = "To: support@helpdesk.test\r\nSubject: nobody sent me\r\nMessage-ID: " + brokenId + "\r\n\r\nbody\r\n";
        _faults.FailOnce(c => c.CommandText.Contains("INSERT INTO \"Tickets\"")
            && c.Parameters.Cast<DbParameter>().Any(p => Equals(p.Value, "Second message")));

        IReadOnlyList<MailOutcome> outcomes;
        await using (var scope = Desk.Services.CreateAsyncScope())
            outcomes = await scope.ServiceProvider.GetRequiredService<MailIngestor>().IngestBatchAsync(MailIngestor.MailgateMailbox,
                new[] { Mime.Message(from: first, subject: "First message"), broken, Mime.Message(from: second, subject: "Second message") }
                    .Select(m => new IncomingMail(Encoding.UTF8.GetBytes(m), "test")).ToList(), CancellationToken.None);

        _faults.Thrown.Should().Be(1, "the third message's ticket insert failed once and the batch ran again");
        outcomes.Select(o => o.Outcome).Should().Equal(MailOutcome.Created, MailOutcome.Quarantined, MailOutcome.Created);
        outcomes[2].Ticket.Should().Be(outcomes[0].Ticket + 1, "numbers taken by the failed attempt were rolled back with it");
        (await Desk.DbAsync(db => db.Tickets.CountAsync())).Should().Be(2);
        (await Desk.DbAsync(db => db.Articles.CountAsync())).Should().Be(2);
        (await Desk.DbAsync(db => db.Set<ArticleMail>().CountAsync())).Should().Be(2);
        (await Desk.DbAsync(db => db.Customers.CountAsync(c => c.Email == first || c.Email == second))).Should().Be(2);
        (await Desk.DbAsync(db => db.Set<OutboxMail>().Select(m => m.To).ToListAsync())).Should().BeEquivalentTo([first, second], "one acknowledgement each");
        var rows = await Desk.DbAsync(db => db.Set<InboundMail>().OrderBy(m => m.ReceivedAt).ThenBy(m => m.Id).ToListAsync());
        rows.Should().HaveCount(3);
        rows.Should().AllSatisfy(r => r.Attempts.Should().Be(1, "a retried batch starts from the rows as they were stored"));
        rows.Single(r => r.MessageId == brokenId.Trim('<', '>')).State.Should().Be(InboundState.Quarantined);
        rows.Count(r => r.State == InboundState.Processed).Should().Be(2);
    }
}
