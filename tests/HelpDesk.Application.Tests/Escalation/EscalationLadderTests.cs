using HelpDesk.Application.Escalation;
using HelpDesk.Application.Notifications;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets.AddReply;
using HelpDesk.Application.Tickets.AssignTicket;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tests.Escalation;

public sealed class EscalationLadderTests : DeskTest
{
    private static EscalationRuleBody Ladder => new(1, true, new EscalationFiltersBody([], ["support"], []),
    [
        new(new EscalationConditionBody("sla_warning", "any", 75), [new EscalationActionBody("notify", Target: "assignee")]),
        new(new EscalationConditionBody("sla_breached", "any"),
        [
            new EscalationActionBody("notify", Target: "lead"),
            new EscalationActionBody("raise_priority"),
            new EscalationActionBody("add_tag", Tag: "escalated"),
            new EscalationActionBody("add_note", Text: "Breached: escalated to the lead."),
        ]),
    ]);

    [Fact]
    public async Task Fires_each_step_once_per_cycle_and_again_for_a_new_next_reply_cycle()
    {
        await _desk.PutRuleAsync(_host, "breach-ladder", Ladder);
        var ticket = await _desk.OpenTicketAsync(_host);
        await _host.SendAsync(new AssignTicket(ticket.Number, _desk.Alice.Email));

        _host.Clock.Reset(TestHost.Start + Desk.FirstResponse * 0.75);
        (await _host.FireDueAsync()).Steps.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Step = 1, Clock = "firstResponse", Cycle = 1 });
        _host.Clock.Reset(TestHost.Start + Desk.FirstResponse * 0.9);
        (await _host.FireDueAsync()).Steps.Should().BeEmpty("step 1 already fired in this cycle, though 90 % is also past 75 %");
        _host.Clock.Reset(TestHost.Start + Desk.FirstResponse + Duration.Epsilon); // breached: counted exceeds the target
        (await _host.FireDueAsync()).Steps.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Step = 2, Clock = "firstResponse", Cycle = 1 });

        var afterBreach = await Desk.TicketAsync(_host, ticket.Number);
        afterBreach.Priority.Should().Be(Priority.High);
        afterBreach.Tags.Should().Equal("escalated");
        afterBreach.Articles.Should().Contain(a => a.Kind == ArticleKind.System && a.BodyText == "Breached: escalated to the lead.");
        (await EscalationNotificationsAsync()).Should().Equal(_desk.Alice.Id, _desk.Lena.Id);

        // The agent answers, the customer writes again: a nextReply cycle starts and the ladder runs once more.
        _host.Clock.Advance(Duration.FromHours(1));
        await _host.SendAsync(new AddReply(ticket.Number, "Fixed?", "public", null), _desk.Alice.Id);
        _host.Clock.Advance(Duration.FromHours(1));
        await Desk.AddCustomerMessageAsync(_host, ticket.Number);
        var cycleStart = _host.Clock.GetCurrentInstant();

        _host.Clock.Reset(cycleStart + Desk.NextReply + Duration.Epsilon);
        var fired = await _host.FireDueAsync();

        fired.Alerts.Select(a => a.Percent).Should().Equal(75, 90, 100);
        fired.Steps.Should().BeEquivalentTo([new { Step = 1, Clock = "nextReply", Cycle = 1 }, new { Step = 2, Clock = "nextReply", Cycle = 1 }]);
        (await Desk.TicketAsync(_host, ticket.Number)).Priority.Should().Be(Priority.Urgent);
        (await _host.FireDueAsync()).IsEmpty.Should().BeTrue();
        (await _host.WithDbAsync(db => db.EscalationFirings.CountAsync())).Should().Be(4);
    }

    [Fact]
    public async Task Leaves_tickets_alone_that_the_filters_do_not_match()
    {
        await _desk.PutRuleAsync(_host, "urgent-only", Ladder with { Filters = new EscalationFiltersBody(["urgent"], [], []) });
        await _desk.OpenTicketAsync(_host, priority: "low");

        _host.Clock.Reset(TestHost.Start + Desk.FirstResponse + Duration.Epsilon); // breached: counted exceeds the target
        var fired = await _host.FireDueAsync();

        fired.Alerts.Should().HaveCount(3);
        fired.Steps.Should().BeEmpty();
    }

    [Fact]
    public async Task An_inactive_rule_fires_nothing()
    {
        await _desk.PutRuleAsync(_host, "breach-ladder", Ladder with { Active = false });
        await _desk.OpenTicketAsync(_host);

        _host.Clock.Reset(TestHost.Start + Desk.FirstResponse + Duration.Epsilon); // breached: counted exceeds the target

        (await _host.FireDueAsync()).Steps.Should().BeEmpty();
    }

    private Task<List<Guid?>> EscalationNotificationsAsync() => _host.WithDbAsync(db => db.Notifications
        .Where(n => n.Kind == NotificationKinds.Escalation).OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).Select(n => n.AgentId).ToListAsync());
}
