using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;
using static HelpDesk.Domain.Tests.Sla.Cal;
using static HelpDesk.Domain.Tests.Sla.Sla;

namespace HelpDesk.Domain.Tests.Sla;

/// <summary>The example scenario of sla.md "Explain and simulate", computed by hand.</summary>
public class SlaEngineExampleTests
{
    // Europe/Berlin; Mon, Wed-Fri 09-17, Tue 09-12 and 13-17; holiday 2026-12-25.
    // Berlin is UTC+1 until Sunday 2026-03-29 02:00, then UTC+2: Friday 2026-03-27 09-17 local = 08-16Z,
    // from Monday 2026-03-30 on 09-17 local = 07-15Z (Tuesday 07-10Z and 11-15Z).
    internal static BusinessCalendar ExampleCalendar() => Create("Europe/Berlin", new()
    {
        [IsoDayOfWeek.Monday] = [R("09:00", "17:00")],
        [IsoDayOfWeek.Tuesday] = [R("09:00", "12:00"), R("13:00", "17:00")],
        [IsoDayOfWeek.Wednesday] = [R("09:00", "17:00")],
        [IsoDayOfWeek.Thursday] = [R("09:00", "17:00")],
        [IsoDayOfWeek.Friday] = [R("09:00", "17:00")],
    }, "2026-12-25");

    internal static SlaTerms ExampleTerms() => Terms(ExampleCalendar(), new Dictionary<Priority, SlaTargets>
    {
        [Priority.High] = Targets("PT4H", "PT8H", "PT24H"),
        [Priority.Normal] = Targets("PT8H", "PT16H", "PT40H"),
    });

    internal static SlaEvent[] ExampleEvents() =>
    [
        Created("2026-03-27T15:00:00Z", Priority.High),        // Fri 16:00 local
        Note("2026-03-27T15:30:00Z"),
        Agent("2026-03-30T08:00:00Z"),                          // Mon 10:00 local
        Status("2026-03-30T09:00:00Z", TicketStatus.Pending),   // Mon 11:00 local
        Customer("2026-03-31T07:00:00Z"),                       // Tue 09:00 local: pending -> open, nextReply #1 starts
        Prio("2026-03-31T12:00:00Z", Priority.Normal),          // Tue 14:00 local
        Status("2026-04-01T10:00:00Z", TicketStatus.Solved),    // Wed 12:00 local
    ];

    [Fact]
    public void Example_scenario_reports_every_cycle_as_computed_by_hand()
    {
        // firstResponse #1: created Fri 15:00Z, stopped by the agent reply Mon 08:00Z; the note does not stop it.
        //   counted = Fri 15-16Z (1h) + Mon 07-08Z (1h) = 2h. Target at stop: high -> PT4H. 2h <= 4h: met.
        //   75% = 3h and 90% = 3.6h never reached: left out.
        // nextReply #1: starts at the customer reply Tue 07:00Z (first response stopped, none running), stopped by the
        //   solve Wed 10:00Z. counted = Tue 07-10Z (3h) + 11-15Z (4h) + Wed 07-10Z (3h) = 10h.
        //   Priority was normal at the stop -> PT16H; 10h <= 16h: met; 12h and 14.4h not reached.
        // resolution #1: created Fri 15:00Z, paused while pending Mon 09:00Z - Tue 07:00Z, stopped by the solve Wed 10:00Z.
        //   counted = 1h (Fri) + 2h (Mon 07-09Z) + 3h + 4h (Tue) + 3h (Wed) = 13h. Normal -> PT40H: met; 30h/36h not reached.
        var report = SlaEngine.Evaluate(ExampleTerms(), ExampleEvents(), Utc("2026-04-02T00:00:00Z"));

        report.Clocks.Should().BeEquivalentTo(new SlaCycle[]
        {
            new(SlaMetric.FirstResponse, 1, CycleState.Met, H(4), Utc("2026-03-27T15:00:00Z"), At("2026-03-30T08:00:00Z"),
                null, null, H(2), [],
                [
                    Seg("2026-03-27T15:00:00Z", "2026-03-27T16:00:00Z", SegmentKind.Counting),
                    Seg("2026-03-27T16:00:00Z", "2026-03-30T07:00:00Z", SegmentKind.OutsideHours),
                    Seg("2026-03-30T07:00:00Z", "2026-03-30T08:00:00Z", SegmentKind.Counting),
                ]),
            new(SlaMetric.NextReply, 1, CycleState.Met, H(16), Utc("2026-03-31T07:00:00Z"), At("2026-04-01T10:00:00Z"),
                null, null, H(10), [],
                [
                    Seg("2026-03-31T07:00:00Z", "2026-03-31T10:00:00Z", SegmentKind.Counting),
                    Seg("2026-03-31T10:00:00Z", "2026-03-31T11:00:00Z", SegmentKind.OutsideHours),
                    Seg("2026-03-31T11:00:00Z", "2026-03-31T15:00:00Z", SegmentKind.Counting),
                    Seg("2026-03-31T15:00:00Z", "2026-04-01T07:00:00Z", SegmentKind.OutsideHours),
                    Seg("2026-04-01T07:00:00Z", "2026-04-01T10:00:00Z", SegmentKind.Counting),
                ]),
            new(SlaMetric.Resolution, 1, CycleState.Met, H(40), Utc("2026-03-27T15:00:00Z"), At("2026-04-01T10:00:00Z"),
                null, null, H(13), [],
                [
                    Seg("2026-03-27T15:00:00Z", "2026-03-27T16:00:00Z", SegmentKind.Counting),
                    Seg("2026-03-27T16:00:00Z", "2026-03-30T07:00:00Z", SegmentKind.OutsideHours),
                    Seg("2026-03-30T07:00:00Z", "2026-03-30T09:00:00Z", SegmentKind.Counting),
                    Seg("2026-03-30T09:00:00Z", "2026-03-31T07:00:00Z", SegmentKind.Paused),
                    Seg("2026-03-31T07:00:00Z", "2026-03-31T10:00:00Z", SegmentKind.Counting),
                    Seg("2026-03-31T10:00:00Z", "2026-03-31T11:00:00Z", SegmentKind.OutsideHours),
                    Seg("2026-03-31T11:00:00Z", "2026-03-31T15:00:00Z", SegmentKind.Counting),
                    Seg("2026-03-31T15:00:00Z", "2026-04-01T07:00:00Z", SegmentKind.OutsideHours),
                    Seg("2026-04-01T07:00:00Z", "2026-04-01T10:00:00Z", SegmentKind.Counting),
                ]),
        }, o => o.WithStrictOrdering());
    }

    [Fact]
    public void Example_scenario_half_way_projects_warnings_and_due_instants_of_running_cycles()
    {
        // now = Tue 11:30Z, before the priority change: everything is still high.
        // nextReply #1 (PT8H): counted = Tue 07-10Z + 11:00-11:30Z = 3.5h, running.
        //   75% = 6h: 2.5h more -> Tue 14:00Z. 90% = 7.2h: 3.7h more = 3.5h to Tue 15:00Z + 12 min -> Wed 07:12Z.
        //   due: 4.5h more = 3.5h + 1h -> Wed 08:00Z; breached one business nanosecond later.
        // resolution #1 (PT24H): counted = 1h + 2h + 3h + 0.5h = 6.5h, running (the customer reply reopened it).
        //   75% = 18h: 11.5h more = Tue 3.5h + Wed 8h -> Wed 15:00Z exactly.
        //   90% = 21.6h: 15.1h more = 3.5h + 8h + Thu 3.6h -> Thu 10:36Z. due: 17.5h = 3.5h + 8h + 6h -> Thu 13:00Z.
        var now = Utc("2026-03-31T11:30:00Z");
        var report = SlaEngine.Evaluate(ExampleTerms(), ExampleEvents(), now);

        var nextReply = report.Single(SlaMetric.NextReply);
        nextReply.Should().BeEquivalentTo(
            new SlaCycle(SlaMetric.NextReply, 1, CycleState.Running, H(8), Utc("2026-03-31T07:00:00Z"), null,
                At("2026-04-01T08:00:00Z"), null, H(3.5),
                [Warn(75, "2026-03-31T14:00:00Z"), Warn(90, "2026-04-01T07:12:00Z")],
                [
                    Seg("2026-03-31T07:00:00Z", "2026-03-31T10:00:00Z", SegmentKind.Counting),
                    Seg("2026-03-31T10:00:00Z", "2026-03-31T11:00:00Z", SegmentKind.OutsideHours),
                    Seg("2026-03-31T11:00:00Z", "2026-03-31T11:30:00Z", SegmentKind.Counting),
                ])
            {
                BreachesAt = Utc("2026-04-01T08:00:00Z") + Duration.Epsilon,
            },
            o => o.WithStrictOrdering());

        var resolution = report.Single(SlaMetric.Resolution);
        resolution.State.Should().Be(CycleState.Running);
        resolution.Counted.Should().Be(H(6.5));
        resolution.DueAt.Should().Be(Utc("2026-04-02T13:00:00Z"));
        resolution.Warnings.Should().Equal(Warn(75, "2026-04-01T15:00:00Z"), Warn(90, "2026-04-02T10:36:00Z"));
        resolution.Segments[^1].Should().Be(Seg("2026-03-31T11:00:00Z", "2026-03-31T11:30:00Z", SegmentKind.Counting));

        report.AlertPoints().First(a => a.At > now).Should().Be(new SlaAlertPoint(SlaMetric.NextReply, 1, SlaAlertKind.Warning, 75, Utc("2026-03-31T14:00:00Z")));
        report.AlertPoints().Select(a => (a.Metric, a.Kind, a.Percent)).Should().Equal(
            (SlaMetric.NextReply, SlaAlertKind.Warning, 75),
            (SlaMetric.NextReply, SlaAlertKind.Warning, 90),
            (SlaMetric.NextReply, SlaAlertKind.Breach, 100),
            (SlaMetric.Resolution, SlaAlertKind.Warning, 75),
            (SlaMetric.Resolution, SlaAlertKind.Warning, 90),
            (SlaMetric.Resolution, SlaAlertKind.Breach, 100));
    }
}
