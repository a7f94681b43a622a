using HelpDesk.Application.AgentConsole;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Reporting;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets;
using HelpDesk.Application.Tickets.AddReply;
using HelpDesk.Application.Tickets.CreateTicket;
using HelpDesk.Domain.Tickets;
using HelpDesk.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Application.Tests.Persistence;

/// <summary>
/// A transient database failure in the middle of a unit of work (ADR 0009): the provider's execution strategy runs the
/// unit again from the start, and nothing is written or published twice.
/// </summary>
public sealed class TransientFailureTests() : DeskTest(configure: services =>
{
    services.AddSingleton<IInterceptor>(new TransientFaults());
    services.AddSingleton<ITicketEventSubscriber, CommittedEvents>();
})
{
    private TransientFaults Faults => _host.Services.GetServices<IInterceptor>().OfType<TransientFaults>().Single();
    private CommittedEvents Events => _host.Services.GetServices<ITicketEventSubscriber>().OfType<CommittedEvents>().Single();

    private sealed class CommittedEvents : ITicketEventSubscriber
    {
        public List<TicketEvent> All { get; } = [];

        public ValueTask OnCommittedAsync(IReadOnlyList<TicketEvent> events, CancellationToken ct)
        {
            lock (All) All.AddRange(events);
            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_ticket_whose_insert_fails_once_is_created_once_with_one_number_article_history_and_event()
    {
        var reference = await _desk.OpenTicketAsync(_host);
        Faults.FailOnce("INSERT INTO \"Tickets\"");

        var created = await _host.SendAsync(new CreateTicket("Scanner jammed", "Paper everywhere.",
            new RequesterInput("dave@customer.test", "Dave"), "normal", "support"));

        Faults.Thrown.Should().Be(1, "the failure happened and the unit ran again");
        created.Number.Should().Be(reference.Number + 1, "the number taken by the failed attempt was rolled back with it");
        (await _host.WithDbAsync(db => db.Counters.Where(c => c.Name == TicketNumbers.CounterName).Select(c => c.Value).SingleAsync()))
            .Should().Be(created.Number);
        (await _host.WithDbAsync(db => db.Tickets.CountAsync(t => t.Subject == "Scanner jammed"))).Should().Be(1);
        (await _host.WithDbAsync(db => db.Customers.CountAsync(c => c.Email == "dave@customer.test"))).Should().Be(1);
        (await _host.WithDbAsync(db => db.Set<ReportTicket>().CountAsync(r => r.Number == created.Number))).Should().Be(1);
        var stored = await Desk.TicketAsync(_host, created.Number);
        var control = await Desk.TicketAsync(_host, reference.Number);
        stored.Articles.Should().HaveCount(1);
        stored.History.Select(h => h.Kind).Should().Equal(control.History.Select(h => h.Kind), "the history is written once, as for a ticket that never failed");
        Events.All.OfType<TicketEvent.Created>().Count(e => e.Number == created.Number).Should().Be(1, "events leave once, after the commit");
    }

    [Fact]
    public async Task A_reply_whose_article_insert_fails_once_is_stored_mailed_and_published_once()
    {
        var ticket = await _desk.OpenTicketAsync(_host);
        Faults.FailOnce("INSERT INTO \"Articles\"");

        var reply = await _host.SendAsync(new AddReply(ticket.Number, "We are on it.", "public", null), _desk.Alice.Id);

        Faults.Thrown.Should().Be(1);
        var stored = await Desk.TicketAsync(_host, ticket.Number);
        stored.Articles.Should().ContainSingle(a => a.BodyText == "We are on it.").Which.Id.Should().Be(reply.ArticleId);
        stored.History.Count(h => h.Kind == TicketChangeKind.PublicAgentReply).Should().Be(1);
        (await _host.WithDbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.ArticleId == reply.ArticleId))).Should().Be(1, "one mail for one reply");
        Events.All.OfType<TicketEvent.ArticleAdded>().Count(e => e.ArticleId == reply.ArticleId).Should().Be(1);
    }

    [Fact]
    public async Task Console_events_whose_insert_fails_once_keep_gap_free_sequence_numbers()
    {
        Faults.FailOnce("INSERT INTO \"ConsoleEvents\"");

        var appended = await _host.WithScopeAsync((sp, db) => new ConsoleStreams(db, _host.Clock).AppendAsync(
            [("team:support", "ticket.changed", 10001, "{}"), ("team:support", "ticket.changed", 10001, "{}")], CancellationToken.None));

        Faults.Thrown.Should().Be(1);
        appended.Select(e => e.Sequence).Should().Equal(1, 2);
        (await _host.WithDbAsync(db => db.Set<ConsoleEvent>().OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync())).Should().Equal(1, 2);
        (await _host.WithDbAsync(db => db.Set<ConsoleStreamHead>().Select(h => h.LastSequence).SingleAsync())).Should().Be(2);
    }

    [Fact]
    public async Task Work_outside_the_unit_of_work_that_begins_its_own_transaction_is_refused_on_every_provider()
    {
        var act = () => _host.WithDbAsync(async db =>
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            return await db.Tickets.CountAsync();
        });

        await act.Should().ThrowAsync<InvalidOperationException>().WithMessage("*execution strategy*");
    }
}
