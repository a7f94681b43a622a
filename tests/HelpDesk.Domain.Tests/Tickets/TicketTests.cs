using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Domain.Tests.Tickets;

public class TicketTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 3, 2, 9, 0);
    private static readonly Guid Support = Guid.NewGuid();
    private static readonly Guid Billing = Guid.NewGuid();
    private readonly Customer _customer = new(Guid.NewGuid(), "Maria@Example.test", "Maria");
    private readonly Agent _dana = new(Guid.NewGuid(), "dana@helpdesk.test", "Dana", AgentRole.Agent, [Support]);
    private readonly Agent _bo = new(Guid.NewGuid(), "bo@helpdesk.test", "Bo", AgentRole.Agent, [Billing]);
    private readonly Agent _eli = new(Guid.NewGuid(), "eli@helpdesk.test", "Eli", AgentRole.Agent, [Support]);

    private Ticket NewTicket(Priority priority = Priority.Normal) =>
        Ticket.Open(Guid.NewGuid(), 10001, "  Cannot log in  ", _customer, Support, priority, "api", "It says locked.", null, Actor.System, T0);

    private static Actor CustomerActor(Customer c) => Actor.ForCustomer(c.Id, c.Name, c.Email);

    [Fact]
    public void Opening_records_the_description_as_the_customers_message_and_starts_new()
    {
        var ticket = NewTicket();

        ticket.Subject.Should().Be("Cannot log in");
        ticket.Status.Should().Be(TicketStatus.New);
        ticket.Articles.Should().ContainSingle().Which.AuthorType.Should().Be(AuthorType.Customer);
        ticket.History.Should().ContainSingle().Which.Kind.Should().Be(TicketChangeKind.Created);
        ticket.Events.Should().ContainSingle().Which.Should().BeOfType<TicketEvent.Created>();
        ticket.SlaEvents().Should().Equal(new SlaEvent.Created(T0, Priority.Normal));
    }

    [Fact]
    public void Rejects_assignment_to_an_agent_outside_the_tickets_team()
    {
        var ticket = NewTicket();

        var act = () => ticket.Assign(_bo, Actor.System, T0);

        act.Should().Throw<DomainRuleViolation>().Which.Code.Should().Be("assignment.agent_not_in_team");
        ticket.AssigneeId.Should().BeNull();
    }

    [Fact]
    public void Assigning_the_same_agent_again_changes_nothing()
    {
        var ticket = NewTicket();
        ticket.Assign(_dana, Actor.System, T0);
        var version = ticket.Version;

        ticket.Assign(_dana, Actor.System, T0 + Duration.FromMinutes(1));

        ticket.Version.Should().Be(version);
        ticket.History.Count(h => h.Kind == TicketChangeKind.Assigned).Should().Be(1);
    }

    [Fact]
    public void Rejects_assignment_when_ticket_is_closed()
    {
        var ticket = NewTicket();
        ticket.ChangeStatus(TicketStatus.Closed, Actor.System, T0);

        var act = () => ticket.Assign(_dana, Actor.System, T0);

        act.Should().Throw<DomainRuleViolation>().Which.Code.Should().Be("ticket.closed");
    }

    [Fact]
    public void A_closed_ticket_takes_no_reply_note_status_or_customer_message()
    {
        var ticket = NewTicket();
        ticket.ChangeStatus(TicketStatus.Closed, Actor.System, T0);

        new Action[]
        {
            () => ticket.AddAgentReply(_dana, "hi", null, null, T0),
            () => ticket.AddInternalNote(_dana, "hi", null, T0),
            () => ticket.ChangeStatus(TicketStatus.Open, Actor.System, T0),
            () => ticket.ChangePriority(Priority.High, Actor.System, T0),
            () => ticket.AddTag("vip", Actor.System, T0),
            () => ticket.AddCustomerMessage(CustomerActor(_customer), "hello?", null, false, T0),
        }.Should().AllSatisfy(a => a.Should().Throw<DomainRuleViolation>().Which.Code.Should().Be("ticket.closed"));
    }

    [Fact]
    public void Claiming_a_ticket_someone_holds_is_a_conflict()
    {
        var ticket = NewTicket();
        ticket.Claim(_dana, T0);

        var act = () => ticket.Claim(_eli, T0);

        act.Should().Throw<ConcurrencyConflict>().Which.Code.Should().Be("claim.already_assigned");
        ticket.AssigneeId.Should().Be(_dana.Id);
    }

    [Fact]
    public void Refuses_a_reply_written_against_a_version_older_than_the_newest_public_message()
    {
        var ticket = NewTicket();
        var seen = ticket.Version;
        ticket.AddAgentReply(_eli, "Eli answers first", null, seen, T0 + Duration.FromMinutes(1));

        var act = () => ticket.AddAgentReply(_dana, "Dana's stale answer", null, seen, T0 + Duration.FromMinutes(2));

        act.Should().Throw<ConcurrencyConflict>().Which.Code.Should().Be("reply.stale");
        ticket.Articles.Should().NotContain(a => a.BodyText == "Dana's stale answer");
    }

    [Fact]
    public void A_tag_or_note_by_a_colleague_does_not_make_a_reply_stale()
    {
        var ticket = NewTicket();
        var seen = ticket.Version;
        ticket.AddTag("vip", Actor.System, T0);
        ticket.AddInternalNote(_eli, "checked the logs", null, T0);

        var reply = ticket.AddAgentReply(_dana, "Fixed", null, seen, T0 + Duration.FromMinutes(1));

        reply.IsPublicAgentReply.Should().BeTrue();
    }

    [Fact]
    public void A_customer_message_reopens_a_solved_ticket_but_an_auto_reply_does_not()
    {
        var ticket = NewTicket();
        ticket.ChangeStatus(TicketStatus.Solved, Actor.System, T0);

        ticket.AddCustomerMessage(CustomerActor(_customer), "I am out of office", null, true, T0 + Duration.FromMinutes(1));
        ticket.Status.Should().Be(TicketStatus.Solved);

        ticket.AddCustomerMessage(CustomerActor(_customer), "Still broken", null, false, T0 + Duration.FromMinutes(2));
        ticket.Status.Should().Be(TicketStatus.Open);
    }

    [Fact]
    public void A_customer_message_leaves_on_hold_as_it_is()
    {
        var ticket = NewTicket();
        ticket.ChangeStatus(TicketStatus.OnHold, Actor.System, T0);

        ticket.AddCustomerMessage(CustomerActor(_customer), "any news?", null, false, T0 + Duration.FromMinutes(1));

        ticket.Status.Should().Be(TicketStatus.OnHold);
    }

    [Fact]
    public void The_sla_ledger_replays_replies_notes_statuses_and_priorities_in_order()
    {
        var ticket = NewTicket(Priority.High);
        ticket.AddInternalNote(_dana, "note", null, T0 + Duration.FromMinutes(1));
        ticket.AddAgentReply(_dana, "answer", null, null, T0 + Duration.FromMinutes(2));
        ticket.ChangeStatus(TicketStatus.Pending, Actor.System, T0 + Duration.FromMinutes(3));
        ticket.AddCustomerMessage(CustomerActor(_customer), "ooo", null, true, T0 + Duration.FromMinutes(4));
        ticket.AddCustomerMessage(CustomerActor(_customer), "thanks but", null, false, T0 + Duration.FromMinutes(5));
        ticket.ChangePriority(Priority.Low, Actor.System, T0 + Duration.FromMinutes(6));
        ticket.AddTag("billing", Actor.System, T0 + Duration.FromMinutes(7));

        ticket.SlaEvents().Should().Equal(
            new SlaEvent.Created(T0, Priority.High),
            new SlaEvent.InternalNote(T0 + Duration.FromMinutes(1)),
            new SlaEvent.AgentReply(T0 + Duration.FromMinutes(2)),
            new SlaEvent.StatusChanged(T0 + Duration.FromMinutes(3), TicketStatus.Pending),
            new SlaEvent.AutoReply(T0 + Duration.FromMinutes(4)),
            // The reopen to open is implied by the customer's reply; the ledger does not repeat it.
            new SlaEvent.CustomerReply(T0 + Duration.FromMinutes(5)),
            new SlaEvent.PriorityChanged(T0 + Duration.FromMinutes(6), Priority.Low));
    }

    [Fact]
    public void History_never_goes_back_in_time_when_a_nodes_clock_lags()
    {
        var ticket = NewTicket();
        ticket.AddInternalNote(_dana, "note", null, T0 + Duration.FromSeconds(5));

        ticket.AddAgentReply(_eli, "reply", null, null, T0 + Duration.FromSeconds(4));

        ticket.History.Select(h => h.At).Should().BeInAscendingOrder();
    }

    [Fact]
    public void Moving_to_another_team_drops_an_assignee_who_is_not_a_member()
    {
        var ticket = NewTicket();
        ticket.Assign(_dana, Actor.System, T0);

        ticket.MoveToTeam(Billing, id => id == _bo.Id, Actor.System, T0);

        ticket.TeamId.Should().Be(Billing);
        ticket.AssigneeId.Should().BeNull();
    }

    [Theory]
    [InlineData("VIP", "vip")]
    [InlineData(" needs-review ", "needs-review")]
    public void Tags_are_normalised(string given, string stored)
    {
        var ticket = NewTicket();
        ticket.AddTag(given, Actor.System, T0);
        ticket.Tags.Should().Equal(stored);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("<script>")]
    public void Rejects_invalid_tags(string tag)
    {
        var act = () => NewTicket().AddTag(tag, Actor.System, T0);
        act.Should().Throw<DomainRuleViolation>().Which.Code.Should().Be("tags.invalid");
    }

    [Fact]
    public void Cannot_go_back_to_new()
    {
        var ticket = NewTicket();
        ticket.ChangeStatus(TicketStatus.Open, Actor.System, T0);
        var act = () => ticket.ChangeStatus(TicketStatus.New, Actor.System, T0);
        act.Should().Throw<DomainRuleViolation>().Which.Code.Should().Be("status.invalid_transition");
    }
}
