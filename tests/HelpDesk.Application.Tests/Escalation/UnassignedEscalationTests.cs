using HelpDesk.Application.Escalation;
using HelpDesk.Application.Notifications;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets.AssignTicket;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tests.Escalation;

public sealed class UnassignedEscalationTests() : DeskTest(withPolicy: false)
{
    private static readonly Duration Span = Duration.FromHours(2);
    private static EscalationRuleBody MoveToTier2 => new(1, true, null,
    [
        new(new EscalationConditionBody("unassigned_for", Duration: "PT2H"),
        [
            new EscalationActionBody("reassign", Team: "tier2"),
            new EscalationActionBody("notify", Target: "team"),
            new EscalationActionBody("add_note", Text: "Nobody took this; moved to tier 2."),
        ]),
    ]);

    [Fact]
    public async Task Moves_a_ticket_nobody_took_after_the_span_and_once_per_unassignment()
    {
        await _desk.PutRuleAsync(_host, "unclaimed", MoveToTier2);
        var ticket = await _desk.OpenTicketAsync(_host);
        (await Desk.TicketAsync(_host, ticket.Number)).SlaNextAlertAt.Should().Be(TestHost.Start + Span);

        _host.Clock.Reset(TestHost.Start + Span - Duration.FromSeconds(1));
        (await _host.FireDueAsync()).IsEmpty.Should().BeTrue();
        _host.Clock.Reset(TestHost.Start + Span);
        (await _host.FireDueAsync()).Steps.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Clock = "unassigned", Cycle = 1 });

        var moved = await Desk.TicketAsync(_host, ticket.Number);
        moved.TeamId.Should().Be(_desk.Tier2.Id);
        moved.Articles.Should().Contain(a => a.Kind == ArticleKind.System);
        moved.SlaNextAlertAt.Should().BeNull("the step fired for this spell and there is no SLA");
        (await _host.WithDbAsync(db => db.Notifications.Where(n => n.Kind == NotificationKinds.Escalation).Select(n => n.TeamId).ToListAsync()))
            .Should().Equal([_desk.Tier2.Id], "actions run in order: the team that now has the ticket is told");

        // Tom takes it, then gives it back: a new spell, and the step fires again two hours later.
        await _host.SendAsync(new AssignTicket(ticket.Number, _desk.Tom.Email));
        _host.Clock.Advance(Duration.FromMinutes(30));
        await _host.SendAsync(new AssignTicket(ticket.Number, null));
        var unassignedAt = _host.Clock.GetCurrentInstant();
        (await Desk.TicketAsync(_host, ticket.Number)).SlaNextAlertAt.Should().Be(unassignedAt + Span);

        _host.Clock.Reset(unassignedAt + Span);
        (await _host.FireDueAsync()).Steps.Should().ContainSingle().Which.Cycle.Should().Be(2);
        (await _host.FireDueAsync()).IsEmpty.Should().BeTrue();
    }

    [Fact]
    public async Task A_new_rule_escalates_tickets_that_are_already_unassigned_for_longer()
    {
        var ticket = await _desk.OpenTicketAsync(_host);
        _host.Clock.Advance(Duration.FromHours(3));

        await _desk.PutRuleAsync(_host, "unclaimed", MoveToTier2);
        var fired = await _host.FireDueAsync();

        fired.Steps.Should().ContainSingle().Which.TicketNumber.Should().Be(ticket.Number);
    }

    [Fact]
    public async Task An_assigned_ticket_is_not_escalated()
    {
        await _desk.PutRuleAsync(_host, "unclaimed", MoveToTier2);
        var ticket = await _desk.OpenTicketAsync(_host);
        await _host.SendAsync(new AssignTicket(ticket.Number, _desk.Alice.Email));

        _host.Clock.Advance(Duration.FromHours(5));

        (await _host.FireDueAsync()).IsEmpty.Should().BeTrue();
        (await Desk.TicketAsync(_host, ticket.Number)).TeamId.Should().Be(_desk.Support.Id);
    }
}
