using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;
using static HelpDesk.Domain.Tests.Sla.Cal;
using static HelpDesk.Domain.Tests.Sla.Sla;

namespace HelpDesk.Domain.Tests.Sla;

public class SlaEngineTests
{
    private static readonly BusinessCalendar AllDay = BusinessCalendar.TwentyFourSeven;

    private static SlaReport Run(SlaTerms terms, string now, params SlaEvent[] events) => SlaEngine.Evaluate(terms, events, Utc(now));

    [Fact]
    public void Internal_notes_and_auto_replies_never_stop_first_response()
    {
        var report = Run(Terms(AllDay, "PT4H", null, null), "2026-01-01T03:00:00Z",
            Created("2026-01-01T00:00:00Z"), Note("2026-01-01T01:00:00Z"), Auto("2026-01-01T02:00:00Z"));

        var fr = report.Single(SlaMetric.FirstResponse);
        fr.State.Should().Be(CycleState.Running);
        fr.Counted.Should().Be(H(3));
        fr.DueAt.Should().Be(Utc("2026-01-01T04:00:00Z"));
    }

    [Fact]
    public void First_public_agent_reply_stops_first_response_and_later_ones_change_nothing()
    {
        var report = Run(Terms(AllDay, "PT4H", null, null), "2026-01-01T09:00:00Z",
            Created("2026-01-01T00:00:00Z"), Agent("2026-01-01T01:00:00Z"), Agent("2026-01-01T05:00:00Z"));

        report.Clocks.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            State = CycleState.Met, StoppedAt = At("2026-01-01T01:00:00Z"), Counted = H(1), DueAt = (Instant?)null,
            Segments = new[] { Seg("2026-01-01T00:00:00Z", "2026-01-01T01:00:00Z", SegmentKind.Counting) },
        });
    }

    [Fact]
    public void Reaching_exactly_the_target_at_the_stop_is_met()
    {
        var report = Run(Terms(AllDay, "PT4H", null, null), "2026-01-01T09:00:00Z",
            Created("2026-01-01T00:00:00Z"), Agent("2026-01-01T04:00:00Z"));

        var fr = report.Single(SlaMetric.FirstResponse);
        fr.State.Should().Be(CycleState.Met);
        fr.BreachedAt.Should().BeNull();
        fr.Warnings.Should().Equal(Warn(75, "2026-01-01T03:00:00Z"), Warn(90, "2026-01-01T03:36:00Z"));
    }

    [Fact]
    public void One_nanosecond_over_the_target_at_the_stop_is_breached()
    {
        var events = new SlaEvent[] { Created("2026-01-01T00:00:00Z"), new SlaEvent.AgentReply(Utc("2026-01-01T04:00:00Z") + Duration.Epsilon) };
        var fr = SlaEngine.Evaluate(Terms(AllDay, "PT4H", null, null), events, Utc("2026-01-02T00:00:00Z")).Single(SlaMetric.FirstResponse);

        fr.State.Should().Be(CycleState.Breached);
        fr.BreachedAt.Should().Be(Utc("2026-01-01T04:00:00Z"));
    }

    [Fact]
    public void Running_cycle_at_exactly_its_target_is_not_breached_until_the_next_business_instant()
    {
        // Due Monday 17:00 local (15:00Z, CEST); the next business time is Tuesday 09:00 (07:00Z).
        var terms = Terms(OfficeHours(), "PT2H", null, null);
        var events = new SlaEvent[] { Created("2026-03-30T13:00:00Z") };

        var atDue = SlaEngine.Evaluate(terms, events, Utc("2026-03-30T20:00:00Z")).Single(SlaMetric.FirstResponse);
        atDue.State.Should().Be(CycleState.Running);
        atDue.DueAt.Should().Be(Utc("2026-03-30T15:00:00Z"));
        atDue.BreachesAt.Should().Be(Utc("2026-03-31T07:00:00Z") + Duration.Epsilon);

        var after = SlaEngine.Evaluate(terms, events, Utc("2026-03-31T07:00:01Z")).Single(SlaMetric.FirstResponse);
        after.State.Should().Be(CycleState.Breached);
        after.BreachedAt.Should().Be(Utc("2026-03-30T15:00:00Z"));
        after.DueAt.Should().Be(Utc("2026-03-30T15:00:00Z"), "a running cycle past its target is due when it reached it");
        after.BreachesAt.Should().BeNull();
    }

    [Fact]
    public void Warnings_report_reached_instants_and_project_the_others()
    {
        var report = Run(Terms(AllDay, null, null, "PT10H", warnAt: [90, 50, 75]), "2026-01-01T06:00:00Z",
            Created("2026-01-01T00:00:00Z"));

        report.Single(SlaMetric.Resolution).Warnings.Should().Equal(
            Warn(50, "2026-01-01T05:00:00Z"), Warn(75, "2026-01-01T07:30:00Z"), Warn(90, "2026-01-01T09:00:00Z"));
    }

    [Fact]
    public void Pause_status_stops_counting_and_leaves_unreached_warnings_out()
    {
        var report = Run(Terms(AllDay, null, null, "PT10H"), "2026-01-01T12:00:00Z",
            Created("2026-01-01T00:00:00Z"), Status("2026-01-01T08:00:00Z", TicketStatus.Pending));

        report.Single(SlaMetric.Resolution).Should().BeEquivalentTo(new
        {
            State = CycleState.Paused, Counted = H(8), DueAt = (Instant?)null, BreachesAt = (Instant?)null,
            Warnings = new[] { Warn(75, "2026-01-01T07:30:00Z") },
            Segments = new[]
            {
                Seg("2026-01-01T00:00:00Z", "2026-01-01T08:00:00Z", SegmentKind.Counting),
                Seg("2026-01-01T08:00:00Z", "2026-01-01T12:00:00Z", SegmentKind.Paused),
            },
        }, o => o.WithStrictOrdering());
        report.AlertPoints().Should().BeEmpty();
    }

    [Fact]
    public void Leaving_the_pause_status_resumes_counting()
    {
        var report = Run(Terms(AllDay, null, null, "PT10H"), "2026-01-01T14:00:00Z",
            Created("2026-01-01T00:00:00Z"),
            Status("2026-01-01T02:00:00Z", TicketStatus.OnHold),
            Status("2026-01-01T05:00:00Z", TicketStatus.Pending),
            Customer("2026-01-01T10:00:00Z"));

        var res = report.Single(SlaMetric.Resolution);
        res.State.Should().Be(CycleState.Running);
        res.Counted.Should().Be(H(6));
        res.DueAt.Should().Be(Utc("2026-01-01T18:00:00Z"));
        res.Segments.Should().Equal(
            Seg("2026-01-01T00:00:00Z", "2026-01-01T02:00:00Z", SegmentKind.Counting),
            Seg("2026-01-01T02:00:00Z", "2026-01-01T10:00:00Z", SegmentKind.Paused),
            Seg("2026-01-01T10:00:00Z", "2026-01-01T14:00:00Z", SegmentKind.Counting));
    }

    [Fact]
    public void Customer_reply_leaves_on_hold_as_it_is()
    {
        var report = Run(Terms(AllDay, null, null, "PT10H"), "2026-01-01T06:00:00Z",
            Created("2026-01-01T00:00:00Z"), Status("2026-01-01T01:00:00Z", TicketStatus.OnHold), Customer("2026-01-01T02:00:00Z"));

        report.Single(SlaMetric.Resolution).State.Should().Be(CycleState.Paused);
    }

    [Fact]
    public void Paused_outside_hours_is_paused_not_outside_hours()
    {
        var report = Run(Terms(OfficeHours(), null, null, "PT40H"), "2026-03-31T09:00:00Z",
            Created("2026-03-30T13:00:00Z"), Status("2026-03-30T14:00:00Z", TicketStatus.Pending), Customer("2026-03-31T08:00:00Z"));

        report.Single(SlaMetric.Resolution).Segments.Should().Equal(
            Seg("2026-03-30T13:00:00Z", "2026-03-30T14:00:00Z", SegmentKind.Counting),
            Seg("2026-03-30T14:00:00Z", "2026-03-31T08:00:00Z", SegmentKind.Paused),
            Seg("2026-03-31T08:00:00Z", "2026-03-31T09:00:00Z", SegmentKind.Counting));
    }

    [Fact]
    public void Customer_reply_on_a_solved_ticket_reopens_and_resolution_resumes_after_a_stopped_segment()
    {
        var report = Run(Terms(AllDay, "PT1H", "PT2H", "PT10H"), "2026-01-01T12:00:00Z",
            Created("2026-01-01T00:00:00Z"),
            Status("2026-01-01T03:00:00Z", TicketStatus.Solved),
            Customer("2026-01-01T07:00:00Z"));

        var res = report.Single(SlaMetric.Resolution);
        res.Should().BeEquivalentTo(new
        {
            State = CycleState.Running, StoppedAt = (Instant?)null, Counted = H(8), DueAt = At("2026-01-01T14:00:00Z"),
            Segments = new[]
            {
                Seg("2026-01-01T00:00:00Z", "2026-01-01T03:00:00Z", SegmentKind.Counting),
                Seg("2026-01-01T03:00:00Z", "2026-01-01T07:00:00Z", SegmentKind.Stopped),
                Seg("2026-01-01T07:00:00Z", "2026-01-01T12:00:00Z", SegmentKind.Counting),
            },
        }, o => o.WithStrictOrdering());

        // The solve stopped first response (breached: 3h > 1h); it does not resume. The reopening message starts nextReply.
        var fr = report.Single(SlaMetric.FirstResponse);
        fr.Should().BeEquivalentTo(new { State = CycleState.Breached, StoppedAt = At("2026-01-01T03:00:00Z"), Counted = H(3), BreachedAt = At("2026-01-01T01:00:00Z") });
        var nr = report.Single(SlaMetric.NextReply);
        nr.Should().BeEquivalentTo(new { Cycle = 1, State = CycleState.Breached, StartedAt = Utc("2026-01-01T07:00:00Z"), Counted = H(5), BreachedAt = At("2026-01-01T09:00:00Z") });
    }

    [Fact]
    public void Reopening_by_status_resumes_resolution_and_a_second_solve_stops_it_again()
    {
        var report = Run(Terms(AllDay, null, null, "PT10H"), "2026-01-02T00:00:00Z",
            Created("2026-01-01T00:00:00Z"),
            Status("2026-01-01T02:00:00Z", TicketStatus.Solved),
            Status("2026-01-01T05:00:00Z", TicketStatus.Open),
            Status("2026-01-01T06:00:00Z", TicketStatus.Solved),
            Status("2026-01-01T08:00:00Z", TicketStatus.Closed));

        report.Single(SlaMetric.Resolution).Should().BeEquivalentTo(new
        {
            State = CycleState.Met, StoppedAt = At("2026-01-01T06:00:00Z"), Counted = H(3),
            Segments = new[]
            {
                Seg("2026-01-01T00:00:00Z", "2026-01-01T02:00:00Z", SegmentKind.Counting),
                Seg("2026-01-01T02:00:00Z", "2026-01-01T05:00:00Z", SegmentKind.Stopped),
                Seg("2026-01-01T05:00:00Z", "2026-01-01T06:00:00Z", SegmentKind.Counting),
            },
        }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Solve_stops_running_first_response_and_next_reply_and_they_stay_stopped_after_reopen()
    {
        var report = Run(Terms(AllDay, "PT4H", "PT4H", "PT20H"), "2026-01-01T20:00:00Z",
            Created("2026-01-01T00:00:00Z"),
            Agent("2026-01-01T01:00:00Z"),
            Customer("2026-01-01T02:00:00Z"),
            Status("2026-01-01T03:00:00Z", TicketStatus.Solved),
            Status("2026-01-01T04:00:00Z", TicketStatus.Open));

        var nr = report.Single(SlaMetric.NextReply);
        nr.Should().BeEquivalentTo(new { State = CycleState.Met, StoppedAt = At("2026-01-01T03:00:00Z"), Counted = H(1) });
        report.Single(SlaMetric.FirstResponse).StoppedAt.Should().Be(Utc("2026-01-01T01:00:00Z"));
        report.Single(SlaMetric.Resolution).State.Should().Be(CycleState.Running);
    }

    [Fact]
    public void Ticket_solved_before_any_reply_stops_first_response_and_the_next_customer_message_starts_next_reply()
    {
        var report = Run(Terms(AllDay, "PT4H", "PT4H", null), "2026-01-01T20:00:00Z",
            Created("2026-01-01T00:00:00Z"),
            Status("2026-01-01T02:00:00Z", TicketStatus.Solved),
            Customer("2026-01-01T10:00:00Z"));

        report.Single(SlaMetric.FirstResponse).Should().BeEquivalentTo(new { State = CycleState.Met, StoppedAt = At("2026-01-01T02:00:00Z") });
        report.Single(SlaMetric.NextReply).Should().BeEquivalentTo(new { State = CycleState.Breached, StartedAt = Utc("2026-01-01T10:00:00Z"), Counted = H(10) });
    }

    [Fact]
    public void Next_reply_is_measured_from_the_oldest_unanswered_customer_message()
    {
        var report = Run(Terms(AllDay, "PT4H", "PT4H", null), "2026-01-01T20:00:00Z",
            Created("2026-01-01T00:00:00Z"),
            Agent("2026-01-01T01:00:00Z"),
            Customer("2026-01-01T02:00:00Z"),
            Customer("2026-01-01T03:00:00Z"),
            Customer("2026-01-01T04:00:00Z"),
            Agent("2026-01-01T05:00:00Z"),
            Customer("2026-01-01T08:00:00Z"),
            Agent("2026-01-01T08:30:00Z"));

        report.Clocks.Where(c => c.Metric == SlaMetric.NextReply).Should().BeEquivalentTo(new[]
        {
            new { Cycle = 1, StartedAt = Utc("2026-01-01T02:00:00Z"), StoppedAt = At("2026-01-01T05:00:00Z"), Counted = H(3), State = CycleState.Met },
            new { Cycle = 2, StartedAt = Utc("2026-01-01T08:00:00Z"), StoppedAt = At("2026-01-01T08:30:00Z"), Counted = H(0.5), State = CycleState.Met },
        }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Customer_messages_before_the_first_response_do_not_start_next_reply()
    {
        var report = Run(Terms(AllDay, "PT4H", "PT4H", null), "2026-01-01T20:00:00Z",
            Created("2026-01-01T00:00:00Z"), Customer("2026-01-01T01:00:00Z"), Agent("2026-01-01T02:00:00Z"));

        report.Clocks.Should().ContainSingle().Which.Metric.Should().Be(SlaMetric.FirstResponse);
    }

    [Fact]
    public void Auto_reply_never_starts_next_reply_nor_reopens_a_pending_ticket()
    {
        var report = Run(Terms(AllDay, "PT4H", "PT4H", "PT20H"), "2026-01-01T20:00:00Z",
            Created("2026-01-01T00:00:00Z"),
            Agent("2026-01-01T01:00:00Z"),
            Status("2026-01-01T01:00:00Z", TicketStatus.Pending),
            Auto("2026-01-01T02:00:00Z"));

        report.Clocks.Should().NotContain(c => c.Metric == SlaMetric.NextReply);
        report.Single(SlaMetric.Resolution).State.Should().Be(CycleState.Paused);
    }

    [Fact]
    public void Priority_change_recomputes_the_due_instant_of_a_running_cycle()
    {
        var terms = Terms(AllDay, new Dictionary<Priority, SlaTargets>
        {
            [Priority.High] = Targets("PT2H", null, null),
            [Priority.Low] = Targets("PT8H", null, null),
        });
        var report = Run(terms, "2026-01-01T01:00:00Z",
            Created("2026-01-01T00:00:00Z", Priority.High), Prio("2026-01-01T00:30:00Z", Priority.Low));

        report.Single(SlaMetric.FirstResponse).Should().BeEquivalentTo(new { Target = H(8), DueAt = At("2026-01-01T08:00:00Z"), State = CycleState.Running });
    }

    [Fact]
    public void Raising_the_target_after_a_breach_unbreaches_a_running_cycle()
    {
        var terms = Terms(AllDay, new Dictionary<Priority, SlaTargets>
        {
            [Priority.High] = Targets("PT2H", null, null),
            [Priority.Low] = Targets("PT8H", null, null),
        });
        var report = Run(terms, "2026-01-01T04:00:00Z",
            Created("2026-01-01T00:00:00Z", Priority.High), Prio("2026-01-01T03:00:00Z", Priority.Low));

        report.Single(SlaMetric.FirstResponse).Should().BeEquivalentTo(new
        {
            Target = H(8), State = CycleState.Running, BreachedAt = (Instant?)null, DueAt = At("2026-01-01T08:00:00Z"),
            Warnings = new[] { Warn(75, "2026-01-01T06:00:00Z"), Warn(90, "2026-01-01T07:12:00Z") },
        }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Lowering_the_target_below_the_counted_time_breaches_as_of_when_the_new_target_was_reached()
    {
        var terms = Terms(AllDay, new Dictionary<Priority, SlaTargets>
        {
            [Priority.Urgent] = Targets("PT1H", null, null),
            [Priority.Normal] = Targets("PT8H", null, null),
        });
        var report = Run(terms, "2026-01-01T04:00:00Z",
            Created("2026-01-01T00:00:00Z"), Prio("2026-01-01T03:00:00Z", Priority.Urgent));

        report.Single(SlaMetric.FirstResponse).Should().BeEquivalentTo(new
        {
            Target = H(1), State = CycleState.Breached, BreachedAt = At("2026-01-01T01:00:00Z"), DueAt = At("2026-01-01T01:00:00Z"),
            Warnings = new[] { Warn(75, "2026-01-01T00:45:00Z"), Warn(90, "2026-01-01T00:54:00Z") },
        }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Stopped_cycle_keeps_the_target_in_force_when_it_stopped()
    {
        var terms = Terms(AllDay, new Dictionary<Priority, SlaTargets>
        {
            [Priority.Urgent] = Targets("PT1H", null, null),
            [Priority.Normal] = Targets("PT8H", null, null),
        });
        var report = Run(terms, "2026-01-01T05:00:00Z",
            Created("2026-01-01T00:00:00Z"), Agent("2026-01-01T03:00:00Z"), Prio("2026-01-01T04:00:00Z", Priority.Urgent));

        report.Single(SlaMetric.FirstResponse).Should().BeEquivalentTo(new { Target = H(8), State = CycleState.Met });
    }

    [Fact]
    public void Metric_without_a_target_for_the_priority_in_force_has_no_cycles_and_numbers_stay_stable()
    {
        var terms = Terms(AllDay, new Dictionary<Priority, SlaTargets>
        {
            [Priority.Low] = Targets("PT8H", null, null),
            [Priority.High] = Targets("PT8H", "PT2H", null),
        });
        var report = Run(terms, "2026-01-01T10:00:00Z",
            Created("2026-01-01T00:00:00Z", Priority.Low),
            Agent("2026-01-01T01:00:00Z"),
            Customer("2026-01-01T02:00:00Z"),
            Agent("2026-01-01T03:00:00Z"),       // nextReply #1 stops while low: no target, left out
            Prio("2026-01-01T04:00:00Z", Priority.High),
            Customer("2026-01-01T05:00:00Z"));   // nextReply #2 runs under high

        report.Clocks.Select(c => (c.Metric, c.Cycle)).Should().Equal((SlaMetric.FirstResponse, 1), (SlaMetric.NextReply, 2));
    }

    [Fact]
    public void Terms_change_applies_to_running_cycles_and_keeps_stopped_outcomes()
    {
        var before = Terms(AllDay, "PT2H", null, "PT10H");
        var after = Terms(OfficeHours(), "PT1H", null, "PT4H", warnAt: [50]);
        // 2026-03-30 is a Monday; office hours are 07:00-15:00Z.
        var report = Run(before, "2026-03-30T10:00:00Z",
            Created("2026-03-30T00:00:00Z"),
            Agent("2026-03-30T01:30:00Z"),           // first response met under the old 2h target
            NewTerms("2026-03-30T06:00:00Z", after)); // resolution counted 6h 24/7, then office hours under a 4h target

        report.Single(SlaMetric.FirstResponse).Should().BeEquivalentTo(new
        {
            Target = H(2), State = CycleState.Met, Warnings = new[] { Warn(75, "2026-03-30T01:30:00Z") },
        }, o => o.WithStrictOrdering());
        report.Single(SlaMetric.Resolution).Should().BeEquivalentTo(new
        {
            Target = H(4), State = CycleState.Breached, Counted = H(9), BreachedAt = At("2026-03-30T04:00:00Z"),
            Warnings = new[] { Warn(50, "2026-03-30T02:00:00Z") },
            Segments = new[]
            {
                Seg("2026-03-30T00:00:00Z", "2026-03-30T06:00:00Z", SegmentKind.Counting),
                Seg("2026-03-30T06:00:00Z", "2026-03-30T07:00:00Z", SegmentKind.OutsideHours),
                Seg("2026-03-30T07:00:00Z", "2026-03-30T10:00:00Z", SegmentKind.Counting),
            },
        }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Terms_change_brings_its_own_pause_list()
    {
        var before = Terms(AllDay, new Dictionary<Priority, SlaTargets> { [Priority.Normal] = Targets(null, null, "PT10H") });
        var after = Terms(AllDay, new Dictionary<Priority, SlaTargets> { [Priority.Normal] = Targets(null, null, "PT10H") }, pauseOn: [TicketStatus.OnHold]);
        var report = Run(before, "2026-01-01T05:00:00Z",
            Created("2026-01-01T00:00:00Z"), Status("2026-01-01T01:00:00Z", TicketStatus.Pending), NewTerms("2026-01-01T03:00:00Z", after));

        report.Single(SlaMetric.Resolution).Should().BeEquivalentTo(new { State = CycleState.Running, Counted = H(3) });
    }

    [Fact]
    public void Running_cycle_on_a_calendar_without_working_time_has_no_due_instant()
    {
        var never = Create("UTC", new Dictionary<IsoDayOfWeek, WorkingRange[]>());
        var report = Run(Terms(never, "PT1H", null, null), "2026-01-01T05:00:00Z", Created("2026-01-01T00:00:00Z"));

        report.Single(SlaMetric.FirstResponse).Should().BeEquivalentTo(new
        {
            State = CycleState.Running, Counted = Duration.Zero, DueAt = (Instant?)null, Warnings = Array.Empty<SlaWarning>(),
            Segments = new[] { Seg("2026-01-01T00:00:00Z", "2026-01-01T05:00:00Z", SegmentKind.OutsideHours) },
        });
    }

    [Fact]
    public void Events_after_now_are_not_applied()
    {
        var report = Run(Terms(AllDay, "PT4H", null, null), "2026-01-01T02:00:00Z",
            Created("2026-01-01T00:00:00Z"), Agent("2026-01-01T03:00:00Z"));

        report.Single(SlaMetric.FirstResponse).Should().BeEquivalentTo(new { State = CycleState.Running, Counted = H(2) });
    }

    [Fact]
    public void Now_before_creation_reports_nothing()
    {
        Run(Terms(AllDay, "PT4H", null, null), "2025-12-31T00:00:00Z", Created("2026-01-01T00:00:00Z")).Clocks.Should().BeEmpty();
    }

    [Fact]
    public void History_must_start_with_created()
    {
        var act = () => Run(Terms(AllDay, "PT4H", null, null), "2026-01-02T00:00:00Z", Agent("2026-01-01T00:00:00Z"));
        act.Should().Throw<ArgumentException>().WithMessage("events[0]: the first event must be created, not agent_reply");
    }

    [Fact]
    public void Events_out_of_order_are_refused_naming_the_event()
    {
        var act = () => Run(Terms(AllDay, "PT4H", null, null), "2026-01-02T00:00:00Z",
            Created("2026-01-01T00:00:00Z"), Agent("2026-01-01T05:00:00Z"), Note("2026-01-01T04:00:00Z"));
        act.Should().Throw<ArgumentException>().WithMessage("events[2]: at 2026-01-01T04:00:00Z is before the previous event at 2026-01-01T05:00:00Z");
    }

    [Fact]
    public void Anything_after_closed_is_refused()
    {
        var act = () => Run(Terms(AllDay, "PT4H", null, null), "2026-01-02T00:00:00Z",
            Created("2026-01-01T00:00:00Z"), Status("2026-01-01T01:00:00Z", TicketStatus.Closed), Customer("2026-01-01T02:00:00Z"));
        act.Should().Throw<ArgumentException>().WithMessage("events[2]: the ticket was closed by events[1]; closed is final");
    }

    [Fact]
    public void A_second_created_is_refused()
    {
        var act = () => Run(Terms(AllDay, "PT4H", null, null), "2026-01-02T00:00:00Z",
            Created("2026-01-01T00:00:00Z"), Created("2026-01-01T01:00:00Z"));
        act.Should().Throw<ArgumentException>().WithMessage("events[1]: created may only be the first event");
    }
}
