using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Reporting;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Domain.Tests.Reporting;

public class TicketHoldersTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 3, 2, 9, 0);
    private static readonly Guid Support = Guid.NewGuid();
    private static readonly Guid Tier2 = Guid.NewGuid();
    private readonly Agent _alice = new(Guid.NewGuid(), "alice@desk.test", "Alice", AgentRole.Agent, [Support]);
    private readonly Agent _bob = new(Guid.NewGuid(), "bob@desk.test", "Bob", AgentRole.Agent, [Support]);
    private readonly Customer _carol = new(Guid.NewGuid(), "carol@customer.test", "Carol");

    private Ticket NewTicket() => Ticket.Open(Guid.NewGuid(), 10001, "Printer", _carol, Support, Priority.Normal, "api", "On fire", null, Actor.System, T0);

    private static Instant At(int minutes) => T0 + Duration.FromMinutes(minutes);

    [Fact]
    public void An_unassigned_ticket_is_held_by_its_team_from_creation()
    {
        TicketHolders.Of(NewTicket()).Should().Equal(new HolderSpan(T0, new Holder(Support, null)));
    }

    [Fact]
    public void Each_assignment_starts_a_span_of_the_new_assignee()
    {
        var ticket = NewTicket();
        ticket.Assign(_alice, Actor.System, At(10));
        ticket.Assign(_bob, Actor.System, At(60));
        ticket.Unassign(Actor.System, At(90));

        TicketHolders.Of(ticket).Should().Equal(
            new HolderSpan(T0, new Holder(Support, null)),
            new HolderSpan(At(10), new Holder(Support, _alice.Id)),
            new HolderSpan(At(60), new Holder(Support, _bob.Id)),
            new HolderSpan(At(90), new Holder(Support, null)));
    }

    [Fact]
    public void An_assignment_at_the_creation_instant_replaces_the_team_span()
    {
        var ticket = NewTicket();
        ticket.Assign(_alice, Actor.System, T0);

        TicketHolders.Of(ticket).Should().Equal(new HolderSpan(T0, new Holder(Support, _alice.Id)));
    }

    [Fact]
    public void A_move_to_another_team_drops_an_assignee_outside_it()
    {
        var ticket = NewTicket();
        ticket.Assign(_alice, Actor.System, At(10));
        ticket.MoveToTeam(Tier2, _ => false, Actor.System, At(30));

        TicketHolders.Of(ticket).Should().Equal(
            new HolderSpan(T0, new Holder(Support, null)),
            new HolderSpan(At(10), new Holder(Support, _alice.Id)),
            new HolderSpan(At(30), new Holder(Tier2, null)));
    }
}
