using CsCheck;
using HelpDesk.Domain.Sla;
using NodaTime;

namespace HelpDesk.Domain.Tests.Sla;

/// <summary>
/// Compares the calendar with a naive minute-by-minute reference on random calendars.
/// </summary>
/// <remarks>
/// Reference definition (the one sla.md gives): minute <c>[m, m+1min)</c> is business time iff it lies inside one of the
/// intervals obtained by mapping each range of each non-holiday local date with the lenient resolver (skipped → shifted
/// forward by the gap, ambiguous → earlier occurrence, 24:00 → next date's midnight), i.e. the union of those intervals.
/// The reference marks minutes interval by interval, so it needs no sorting, merging or window logic. Ranges are on
/// minute boundaries and the chosen zones' offsets are whole minutes, so every interval bound is a minute boundary and
/// minute granularity is exact.
/// </remarks>
public class BusinessCalendarPropertyTests
{
    private static readonly string[] Zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"];

    // Dates around the 2026 transitions of those zones, so that many spans contain one.
    private static readonly LocalDate[] Anchors =
    [
        new(2026, 3, 8), new(2026, 3, 29), new(2026, 4, 5), new(2026, 6, 15),
        new(2026, 10, 4), new(2026, 10, 25), new(2026, 11, 1),
    ];

    // Minutes of the day with a bias towards the DST-sensitive night hours; 1440 is 24:00.
    private static readonly Gen<int> Minute = Gen.Frequency(
        (3, (IGen<int>)Gen.Int[0, 1440]),
        (2, (IGen<int>)Gen.OneOf(0, 60, 90, 120, 150, 180, 1440)));

    private static readonly Gen<int[]> DayRanges = Gen.Int[0, 3].SelectMany(k => Minute.Array[2 * k]).Select(ms =>
        ms.Distinct().Order().ToArray());

    private sealed record Scenario(string ZoneId, int[][] Week, LocalDate[] Holidays, Instant SpanStart, int SpanMinutes, int FromMinute, int ToMinute, int AddMinutesSeed)
    {
        public override string ToString() =>
            $"{ZoneId} week=[{string.Join(" | ", Week.Select(d => string.Join(",", d)))}] holidays=[{string.Join(",", Holidays)}] start={SpanStart} span={SpanMinutes} from+{FromMinute} to+{ToMinute} add#{AddMinutesSeed}";
    }

    private static readonly Gen<Scenario> Scenarios =
        from zone in Gen.OneOf(Zones)
        from week in DayRanges.Array[7]
        from anchor in Gen.OneOf(Anchors)
        from startOffsetMinutes in Gen.Int[-6 * 1440, 1440]
        from spanMinutes in Gen.Int[1, 21 * 1440]
        from holidayOffsets in Gen.Int[-2, 22].Array[0, 4]
        from fromMinute in Gen.Int[0, 21 * 1440]
        from toMinute in Gen.Int[0, 21 * 1440]
        from addSeed in Gen.Int[0, int.MaxValue - 1]
        let start = anchor.AtStartOfDayInZone(DateTimeZone.Utc).ToInstant() + Duration.FromMinutes(startOffsetMinutes)
        select new Scenario(zone, week, holidayOffsets.Select(o => anchor.PlusDays(o)).ToArray(), start, spanMinutes,
            fromMinute % spanMinutes, toMinute % (spanMinutes + 1), addSeed);

    [Fact]
    public void Business_time_and_due_instants_match_a_minute_by_minute_reference()
    {
        Scenarios.Sample(s =>
        {
            var calendar = Build(s);
            var business = Reference(s);
            var spanEnd = s.SpanStart + Duration.FromMinutes(s.SpanMinutes);

            // BusinessTimeBetween on a sub-span.
            var (a, b) = (Math.Min(s.FromMinute, s.ToMinute), Math.Max(s.FromMinute, s.ToMinute));
            var expected = Duration.FromMinutes(Enumerable.Range(a, b - a).Count(m => business[m]));
            var actual = calendar.BusinessTimeBetween(s.SpanStart + Duration.FromMinutes(a), s.SpanStart + Duration.FromMinutes(b));
            if (actual != expected)
            {
                throw new Exception($"BusinessTimeBetween(+{a}, +{b}) = {actual}, reference {expected}");
            }

            // AddBusinessTime with an amount that the reference can answer inside the span.
            var available = Enumerable.Range(s.FromMinute, s.SpanMinutes - s.FromMinute).Count(m => business[m]);
            var amount = s.AddMinutesSeed % (available + 1);
            var due = calendar.AddBusinessTime(s.SpanStart + Duration.FromMinutes(s.FromMinute), Duration.FromMinutes(amount));
            var expectedDue = s.SpanStart + Duration.FromMinutes(ReferenceAdd(business, s.FromMinute, amount));
            if (due != expectedDue)
            {
                throw new Exception($"AddBusinessTime(+{s.FromMinute}, {amount} min) = {due}, reference {expectedDue}");
            }

            // WorkingIntervals over the whole span: the reference's runs of business minutes.
            var runs = Runs(business).Select(r => new Interval(s.SpanStart + Duration.FromMinutes(r.Start), s.SpanStart + Duration.FromMinutes(r.End)));
            var intervals = calendar.WorkingIntervals(s.SpanStart, spanEnd).ToList();
            if (!intervals.SequenceEqual(runs))
            {
                throw new Exception($"WorkingIntervals = [{string.Join(", ", intervals)}], reference [{string.Join(", ", runs)}]");
            }
        }, iter: 300, threads: 1, print: s => s.ToString());
    }

    private static BusinessCalendar Build(Scenario s)
    {
        var week = new Dictionary<IsoDayOfWeek, IReadOnlyList<WorkingRange>>();
        for (var d = 0; d < 7; d++)
        {
            var ms = s.Week[d];
            var ranges = new List<WorkingRange>();
            for (var i = 0; i + 1 < ms.Length; i += 2)
            {
                ranges.Add(new WorkingRange(LocalTime.FromMinutesSinceMidnight(ms[i]), ms[i + 1] == 1440 ? null : LocalTime.FromMinutesSinceMidnight(ms[i + 1])));
            }

            week[(IsoDayOfWeek)(d + 1)] = ranges;
        }

        return BusinessCalendar.Create(DateTimeZoneProviders.Tzdb[s.ZoneId], week, s.Holidays);
    }

    /// <summary>business[m] for each minute of the span.</summary>
    private static bool[] Reference(Scenario s)
    {
        var zone = DateTimeZoneProviders.Tzdb[s.ZoneId];
        var business = new bool[s.SpanMinutes];
        var first = s.SpanStart.InZone(zone).Date.PlusDays(-3);
        var last = (s.SpanStart + Duration.FromMinutes(s.SpanMinutes)).InZone(zone).Date.PlusDays(3);
        for (var date = first; date <= last; date = date.PlusDays(1))
        {
            if (s.Holidays.Contains(date))
            {
                continue;
            }

            var ms = s.Week[(int)date.DayOfWeek - 1];
            for (var i = 0; i + 1 < ms.Length; i += 2)
            {
                var start = date.AtMidnight().PlusMinutes(ms[i]).InZoneLeniently(zone).ToInstant();
                var end = date.AtMidnight().PlusMinutes(ms[i + 1]).InZoneLeniently(zone).ToInstant();
                for (var t = start; t < end; t += Duration.FromMinutes(1))
                {
                    var m = (t - s.SpanStart).TotalMinutes;
                    if (m >= 0 && m < s.SpanMinutes)
                    {
                        business[(int)m] = true;
                    }
                }
            }
        }

        return business;
    }

    private static int ReferenceAdd(bool[] business, int from, int amount)
    {
        var m = from;
        for (var counted = 0; counted < amount; m++)
        {
            if (business[m])
            {
                counted++;
            }
        }

        return m;
    }

    private static IEnumerable<(int Start, int End)> Runs(bool[] business)
    {
        for (var m = 0; m < business.Length;)
        {
            if (!business[m])
            {
                m++;
                continue;
            }

            var start = m;
            while (m < business.Length && business[m])
            {
                m++;
            }

            yield return (start, m);
        }
    }
}
