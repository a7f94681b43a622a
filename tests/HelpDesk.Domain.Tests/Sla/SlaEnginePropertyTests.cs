using CsCheck;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;
using static HelpDesk.Domain.Tests.Sla.Cal;
using static HelpDesk.Domain.Tests.Sla.Sla;

namespace HelpDesk.Domain.Tests.Sla;

/// <summary>Invariants of every report, on random ticket histories.</summary>
public class SlaEnginePropertyTests
{
    private static readonly BusinessCalendar[] Calendars =
    [
        OfficeHours("Europe/Berlin", "2026-03-27"),
        Create("Europe/Berlin", EveryDay(R("00:00", "06:00"), R("20:00", "24:00"))),
        BusinessCalendar.TwentyFourSeven,
    ];

    private static readonly TicketStatus[] Statuses = [TicketStatus.New, TicketStatus.Open, TicketStatus.Pending, TicketStatus.OnHold, TicketStatus.Solved];

    private static readonly Gen<SlaEvent[]> Histories =
        from start in Gen.Int[0, 14 * 24 * 60]
        from steps in Gen.Select(Gen.Int[0, 6], Gen.Int[0, 1500], Gen.Int[0, 4]).Array[0, 14]
        from priority in Gen.Int[0, 3]
        from close in Gen.Bool
        select Build(start, steps, priority, close);

    private static SlaEvent[] Build(int start, (int Kind, int Minutes, int Arg)[] steps, int priority, bool close)
    {
        var t = Instant.FromUtc(2026, 3, 20, 0, 0) + Duration.FromMinutes(start);
        var events = new List<SlaEvent> { new SlaEvent.Created(t, (Priority)priority) };
        foreach (var (kind, minutes, arg) in steps)
        {
            t += Duration.FromMinutes(minutes);
            events.Add(kind switch
            {
                0 => new SlaEvent.AgentReply(t),
                1 => new SlaEvent.CustomerReply(t),
                2 => new SlaEvent.InternalNote(t),
                3 => new SlaEvent.AutoReply(t),
                4 => new SlaEvent.StatusChanged(t, Statuses[arg]),
                5 => new SlaEvent.PriorityChanged(t, (Priority)(arg % 4)),
                _ => new SlaEvent.StatusChanged(t, TicketStatus.Solved),
            });
        }

        if (close)
        {
            events.Add(new SlaEvent.StatusChanged(t + Duration.FromMinutes(30), TicketStatus.Closed));
        }

        return [.. events];
    }

    [Fact]
    public void Every_report_has_gap_free_segments_consistent_counts_and_states()
    {
        var terms = Terms(Calendars[0], new Dictionary<Priority, SlaTargets>
        {
            [Priority.Urgent] = Targets("PT1H", "PT2H", "PT4H"),
            [Priority.High] = Targets("PT4H", "PT8H", "PT24H"),
            [Priority.Normal] = Targets("PT8H", null, "PT40H"),
        });

        Gen.Select(Histories, Gen.Int[0, Calendars.Length - 1], Gen.Int[0, 3000]).Sample((events, calendarIndex, extra) =>
        {
            var calendar = Calendars[calendarIndex];
            var t = terms with { Calendar = calendar };
            var now = events[^1].At + Duration.FromMinutes(extra);
            var report = SlaEngine.Evaluate(t, events, now);

            report.Clocks.Select(c => ((int)c.Metric, c.Cycle)).Should().BeInAscendingOrder();
            foreach (var c in report.Clocks)
            {
                var end = c.StoppedAt ?? now;
                var at = c.StartedAt;
                SegmentKind? previous = null;
                foreach (var s in c.Segments)
                {
                    s.From.Should().Be(at, "segments are gap-free");
                    s.To.Should().BeGreaterThan(s.From, "empty spans are left out");
                    s.Kind.Should().NotBe(previous, "adjacent spans of one kind are merged");
                    at = s.To;
                    previous = s.Kind;
                }

                at.Should().Be(end, "segments run from the start to the stop or now");
                var counted = c.Segments.Where(s => s.Kind == SegmentKind.Counting).Aggregate(Duration.Zero, (sum, s) => sum + (s.To - s.From));
                c.Counted.Should().Be(counted);
                if (c.Metric != SlaMetric.Resolution)
                {
                    c.Counted.Should().Be(calendar.BusinessTimeBetween(c.StartedAt, end));
                }

                switch (c.State)
                {
                    case CycleState.Met:
                        c.StoppedAt.Should().NotBeNull();
                        c.Counted.Should().BeLessThanOrEqualTo(c.Target);
                        break;
                    case CycleState.Breached:
                        c.Counted.Should().BeGreaterThan(c.Target);
                        if (c.Metric != SlaMetric.Resolution)
                        {
                            // Reply clocks are never paused, so the target is reached exactly target business time after the start.
                            calendar.BusinessTimeBetween(c.StartedAt, c.BreachedAt!.Value).Should().Be(c.Target);
                        }
                        break;
                    case CycleState.Running when c.Counted < c.Target:
                        calendar.BusinessTimeBetween(now, c.DueAt!.Value).Should().Be(c.Target - c.Counted);
                        break;
                    case CycleState.Paused:
                        c.DueAt.Should().BeNull();
                        break;
                }

                c.Warnings.Select(w => w.Percent).Should().BeInAscendingOrder();
                c.Warnings.Select(w => w.At).Should().BeInAscendingOrder();
            }
        }, iter: 400, threads: 1);
    }
}
