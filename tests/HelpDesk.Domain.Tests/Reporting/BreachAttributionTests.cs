using HelpDesk.Domain.Reporting;
using HelpDesk.Domain.Sla;
using NodaTime;

namespace HelpDesk.Domain.Tests.Reporting;

public class BreachAttributionTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 3, 2, 9, 0);
    private static readonly Guid Support = Guid.NewGuid();
    private static readonly Guid Tier2 = Guid.NewGuid();
    private static readonly Guid Alice = Guid.NewGuid();
    private static readonly Guid Bob = Guid.NewGuid();

    private static Instant At(double hours) => T0 + Duration.FromMinutes((long)(hours * 60));

    private static SlaSegment Seg(double from, double to, SegmentKind kind = SegmentKind.Counting) => new(At(from), At(to), kind);

    /// <summary>A cycle with a 4 h target that breached at <paramref name="breachedAt"/> hours, with these segments.</summary>
    private static SlaCycle Breached(double breachedAt, params SlaSegment[] segments) =>
        new(SlaMetric.Resolution, 1, CycleState.Breached, Duration.FromHours(4), T0, null, At(breachedAt), At(breachedAt),
            Duration.FromHours(4) + Duration.FromMinutes(1), [], segments);

    private static HolderSpan Span(double from, Guid team, Guid? agent = null) => new(At(from), new Holder(team, agent));

    [Fact]
    public void A_ticket_nobody_was_assigned_is_attributed_to_its_team()
    {
        var shares = BreachAttribution.Of(Breached(4, Seg(0, 6)), [Span(0, Support)]);

        shares.Should().ContainSingle().Which.Should().Be(new AttributionShare(new Holder(Support, null), Duration.FromHours(4)));
    }

    [Fact]
    public void The_largest_share_of_counting_time_wins()
    {
        var shares = BreachAttribution.Of(Breached(4, Seg(0, 6)), [Span(0, Support), Span(1, Support, Alice), Span(3.5, Support, Bob)]);

        shares.Select(s => (s.Holder.AgentId, s.Counted.TotalHours)).Should().Equal((Alice, 2.5), (null, 1.0), (Bob, 0.5));
    }

    [Fact]
    public void A_tie_goes_to_the_later_holder()
    {
        var shares = BreachAttribution.Of(Breached(4, Seg(0, 6)), [Span(0, Support, Alice), Span(2, Support, Bob)]);

        shares[0].Holder.AgentId.Should().Be(Bob);
        shares.Select(s => s.Counted).Should().Equal(Duration.FromHours(2), Duration.FromHours(2));
    }

    [Fact]
    public void Time_after_the_breach_is_not_counted()
    {
        // Bob holds the ticket for 1 h before the breach and 20 h after it: the breach is Alice's.
        var shares = BreachAttribution.Of(Breached(4, Seg(0, 24)), [Span(0, Support, Alice), Span(3, Support, Bob)]);

        shares.Select(s => (s.Holder.AgentId, s.Counted.TotalHours)).Should().Equal((Alice, 3.0), (Bob, 1.0));
    }

    [Fact]
    public void Paused_and_outside_hours_time_weighs_nothing()
    {
        // Alice holds it through 10 h of pause and night but only 1 h of counting; Bob counts 3 h.
        var cycle = Breached(14,
            Seg(0, 1), Seg(1, 5, SegmentKind.Paused), Seg(5, 11, SegmentKind.OutsideHours), Seg(11, 14), Seg(14, 15));
        var shares = BreachAttribution.Of(cycle, [Span(0, Support, Alice), Span(11, Support, Bob)]);

        shares.Select(s => (s.Holder.AgentId, s.Counted.TotalHours)).Should().Equal((Bob, 3.0), (Alice, 1.0));
    }

    [Fact]
    public void The_same_holder_in_two_spans_adds_up()
    {
        var shares = BreachAttribution.Of(Breached(4, Seg(0, 4)),
            [Span(0, Support, Alice), Span(1, Tier2), Span(2.5, Support, Alice)]);

        shares[0].Should().Be(new AttributionShare(new Holder(Support, Alice), Duration.FromHours(2.5)));
        shares[1].Should().Be(new AttributionShare(new Holder(Tier2, null), Duration.FromHours(1.5)));
    }

    [Fact]
    public void A_cycle_that_did_not_breach_is_attributed_to_nobody()
    {
        var met = new SlaCycle(SlaMetric.Resolution, 1, CycleState.Met, Duration.FromHours(4), T0, At(3), At(4), null,
            Duration.FromHours(3), [], [Seg(0, 3), Seg(3, 3, SegmentKind.Stopped)]);

        BreachAttribution.Of(met, [Span(0, Support, Alice)]).Should().BeEmpty();
    }
}
