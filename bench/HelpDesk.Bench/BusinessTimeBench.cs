using System.Diagnostics;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Bench;

/// <summary>
/// Due-instant computation (AddBusinessTime) against a naive minute-stepping reference on realistic calendars, and the
/// cost of a full SlaEngine.Evaluate of a realistic ticket history. A plain Stopwatch loop: the figures are rates, not
/// nanosecond-exact, and a run stays well under 30 s.
/// </summary>
internal static class BusinessTimeBench
{
    private static readonly DateTimeZone Berlin = DateTimeZoneProviders.Tzdb["Europe/Berlin"];
    private static readonly DateTimeZone NewYork = DateTimeZoneProviders.Tzdb["America/New_York"];

    public static int Run()
    {
        var calendars = new (string Name, BusinessCalendar Calendar)[]
        {
            ("Berlin 09-17 Mon-Fri + holidays", BerlinOffice()),
            ("New York split 09-12,13-17", SplitDays()),
            ("24/7", BusinessCalendar.TwentyFourSeven),
        };

        var rng = new Random(20261101);
        var cases = Enumerable.Range(0, 4096)
            .Select(_ => (From: Instant.FromUtc(2026, 1, 1, 0, 0) + Duration.FromMinutes(rng.Next(0, 365 * 24 * 60)),
                          Target: Duration.FromMinutes(rng.Next(4 * 60, 40 * 60 + 1))))
            .ToArray();

        Console.WriteLine("business-time: AddBusinessTime, targets 4h-40h, random starts in 2026");
        Console.WriteLine($"{"calendar",-34} {"engine/s",14} {"naive/s",12} {"ratio",10} {"mismatches",11}");
        foreach (var (name, calendar) in calendars)
        {
            var fast = Rate(TimeSpan.FromSeconds(1.5), i =>
            {
                var c = cases[i & 4095];
                return calendar.AddBusinessTime(c.From, c.Target).ToUnixTimeTicks();
            });
            var naive = Rate(TimeSpan.FromSeconds(1.5), i =>
            {
                var c = cases[i & 4095];
                return NaiveAdd(calendar, c.From, c.Target).ToUnixTimeTicks();
            });
            // Same answers? (The naive reference reads local wall time, which differs only for ranges crossing a DST gap.)
            var mismatches = cases.Take(500).Count(c => calendar.AddBusinessTime(c.From, c.Target) != NaiveAdd(calendar, c.From, c.Target));
            Console.WriteLine($"{name,-34} {fast,14:N0} {naive,12:N0} {fast / naive,9:N0}x {mismatches,11}");
        }

        var terms = new SlaTerms(BerlinOffice(), new SlaPolicyTerms(
            new Dictionary<Priority, SlaTargets>
            {
                [Priority.Urgent] = new(Duration.FromHours(1), Duration.FromHours(2), Duration.FromHours(8)),
                [Priority.High] = new(Duration.FromHours(4), Duration.FromHours(8), Duration.FromHours(24)),
                [Priority.Normal] = new(Duration.FromHours(8), Duration.FromHours(16), Duration.FromHours(40)),
            },
            SlaPolicyTerms.DefaultWarnAtPercent,
            SlaPolicyTerms.DefaultPauseOn));
        var histories = Enumerable.Range(0, 1024).Select(i => History(Instant.FromUtc(2026, 1, 5, 8, 0) + Duration.FromMinutes(i * 397L))).ToArray();
        var nows = histories.Select(h => h[^1].At + Duration.FromHours(30)).ToArray();
        var perSecond = Rate(TimeSpan.FromSeconds(3), i =>
        {
            var k = i & 1023;
            return SlaEngine.Evaluate(terms, histories[k], nows[k]).Clocks.Count;
        });
        Console.WriteLine();
        Console.WriteLine($"SlaEngine.Evaluate, {histories[0].Length}-event history (reply, pending, customer replies, priority change, solve, reopen), Berlin office hours:");
        Console.WriteLine($"  {perSecond:N0} tickets/s = {1e6 / perSecond:N2} µs per ticket; 100,000 tickets in {100_000 / perSecond:N2} s on one core");
        return 0;
    }

    /// <summary>Calls <paramref name="body"/> with increasing indices for about <paramref name="duration"/>; returns calls per second.</summary>
    private static double Rate(TimeSpan duration, Func<int, long> body)
    {
        long sink = 0;
        for (var i = 0; i < 2000; i++)
        {
            sink += body(i); // warm-up: JIT and calendar caches
        }

        var sw = Stopwatch.StartNew();
        var n = 0;
        while (sw.Elapsed < duration)
        {
            for (var j = 0; j < 64; j++, n++)
            {
                sink += body(n);
            }
        }

        GC.KeepAlive(sink);
        return n / sw.Elapsed.TotalSeconds;
    }

    /// <summary>The obvious implementation: step minute by minute, asking the wall clock whether each minute is business time.</summary>
    private static Instant NaiveAdd(BusinessCalendar calendar, Instant from, Duration amount)
    {
        var minute = Duration.FromMinutes(1);
        var t = from;
        var counted = Duration.Zero;
        while (counted < amount)
        {
            if (calendar.IsAlwaysOpen || IsBusinessMinute(calendar, t))
            {
                counted += minute;
            }

            t += minute;
        }

        return t;
    }

    private static bool IsBusinessMinute(BusinessCalendar calendar, Instant t)
    {
        var local = t.InZone(calendar.Zone).LocalDateTime;
        if (calendar.Holidays.Contains(local.Date) || !calendar.Week.TryGetValue(local.DayOfWeek, out var ranges))
        {
            return false;
        }

        foreach (var r in ranges)
        {
            if (local.TimeOfDay >= r.Start && (r.End is null || local.TimeOfDay < r.End))
            {
                return true;
            }
        }

        return false;
    }

    private static BusinessCalendar BerlinOffice()
    {
        var day = new[] { new WorkingRange(new LocalTime(9, 0), new LocalTime(17, 0)) };
        var holidays = new[]
        {
            "2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25", "2026-10-03", "2026-12-24",
            "2026-12-25", "2026-12-26", "2026-12-31", "2027-01-01", "2027-03-26", "2027-03-29",
        }.Select(s => NodaTime.Text.LocalDatePattern.Iso.Parse(s).Value);
        return BusinessCalendar.Create(Berlin, Weekdays(day), holidays);
    }

    private static BusinessCalendar SplitDays() => BusinessCalendar.Create(NewYork,
        Weekdays([new WorkingRange(new LocalTime(9, 0), new LocalTime(12, 0)), new WorkingRange(new LocalTime(13, 0), new LocalTime(17, 0))]),
        [new LocalDate(2026, 7, 3), new LocalDate(2026, 11, 26), new LocalDate(2026, 12, 25)]);

    private static Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingRange>> Weekdays(WorkingRange[] ranges) =>
        new[] { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday }
            .ToDictionary(d => d, _ => (IReadOnlyList<WorkingRange>)ranges);

    /// <summary>A typical ticket: note, reply, pending, customer answers, escalation, solve, reopen, reply.</summary>
    private static SlaEvent[] History(Instant t0)
    {
        Instant At(double hours) => t0 + Duration.FromMinutes((long)(hours * 60));
        return
        [
            new SlaEvent.Created(t0, Priority.Normal),
            new SlaEvent.InternalNote(At(0.5)),
            new SlaEvent.AgentReply(At(3)),
            new SlaEvent.StatusChanged(At(3), TicketStatus.Pending),
            new SlaEvent.CustomerReply(At(20)),
            new SlaEvent.CustomerReply(At(21)),
            new SlaEvent.PriorityChanged(At(22), Priority.High),
            new SlaEvent.AgentReply(At(26)),
            new SlaEvent.StatusChanged(At(30), TicketStatus.Solved),
            new SlaEvent.CustomerReply(At(50)),
            new SlaEvent.AutoReply(At(51)),
            new SlaEvent.AgentReply(At(55)),
        ];
    }
}
