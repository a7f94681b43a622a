using HelpDesk.Domain.Sla;
using NodaTime;
using static HelpDesk.Domain.Tests.Sla.Cal;

namespace HelpDesk.Domain.Tests.Sla;

public class BusinessCalendarTests
{
    // 2026-03-29 is a Sunday: Europe/Berlin skips 02:00-03:00. 2026-10-25 is a Sunday: 02:00-03:00 happens twice.
    private static BusinessCalendar NightShift(string range = "06:00", string start = "00:00") =>
        Create("Europe/Berlin", EveryDay(R(start, range)));

    [Fact]
    public void Ordinary_day_of_office_hours_is_eight_hours()
    {
        var cal = OfficeHours();
        cal.BusinessTimeBetween(Utc("2026-03-23T00:00:00Z"), Utc("2026-03-24T00:00:00Z")).Should().Be(Duration.FromHours(8));
    }

    [Fact]
    public void Range_crossing_spring_forward_is_one_hour_shorter()
    {
        var cal = NightShift();
        cal.BusinessTimeBetween(Utc("2026-03-28T22:00:00Z"), Utc("2026-03-29T22:00:00Z")).Should().Be(Duration.FromHours(5));
        cal.WorkingIntervals(Utc("2026-03-28T12:00:00Z"), Utc("2026-03-29T12:00:00Z"))
            .Should().Equal(new Interval(Utc("2026-03-28T23:00:00Z"), Utc("2026-03-29T04:00:00Z")));
    }

    [Fact]
    public void Range_crossing_fall_back_is_one_hour_longer()
    {
        var cal = NightShift();
        cal.WorkingIntervals(Utc("2026-10-24T12:00:00Z"), Utc("2026-10-25T12:00:00Z"))
            .Should().Equal(new Interval(Utc("2026-10-24T22:00:00Z"), Utc("2026-10-25T05:00:00Z")));
    }

    [Fact]
    public void Range_starting_in_the_spring_gap_starts_shifted_forward_by_the_gap()
    {
        // 02:30 does not exist; the lenient resolver shifts it by the gap's hour to 03:30 CEST = 01:30Z.
        var cal = NightShift(start: "02:30");
        cal.WorkingIntervals(Utc("2026-03-28T12:00:00Z"), Utc("2026-03-29T12:00:00Z"))
            .Should().Equal(new Interval(Utc("2026-03-29T01:30:00Z"), Utc("2026-03-29T04:00:00Z")));
    }

    [Fact]
    public void Range_starting_at_an_ambiguous_time_starts_at_the_earlier_occurrence()
    {
        // 02:30 happens at 00:30Z (CEST) and 01:30Z (CET); the earlier one counts.
        var cal = NightShift(start: "02:30");
        cal.BusinessTimeBetween(Utc("2026-10-24T12:00:00Z"), Utc("2026-10-25T12:00:00Z")).Should().Be(Duration.FromMinutes(270));
    }

    [Fact]
    public void Adding_business_time_across_spring_forward_counts_real_elapsed_time()
    {
        var cal = NightShift();
        // Sunday 00:00 CET = 23:00Z; five hours of work end at 06:00 CEST = 04:00Z; the sixth hour is Monday 00:00-01:00.
        cal.AddBusinessTime(Utc("2026-03-28T23:00:00Z"), Duration.FromHours(5)).Should().Be(Utc("2026-03-29T04:00:00Z"));
        cal.AddBusinessTime(Utc("2026-03-28T23:00:00Z"), Duration.FromHours(6)).Should().Be(Utc("2026-03-29T23:00:00Z"));
    }

    [Fact]
    public void Holidays_are_entirely_off()
    {
        var cal = OfficeHours("Europe/Berlin", "2026-12-24", "2026-12-25");
        // Wednesday 2026-12-23 16:00 CET + 2 h: one hour on Wednesday, then Thursday and Friday are holidays, Monday 09:00-10:00.
        cal.AddBusinessTime(Utc("2026-12-23T15:00:00Z"), Duration.FromHours(2)).Should().Be(Utc("2026-12-28T09:00:00Z"));
        cal.BusinessTimeBetween(Utc("2026-12-24T00:00:00Z"), Utc("2026-12-26T00:00:00Z")).Should().Be(Duration.Zero);
    }

    [Fact]
    public void Split_day_skips_the_lunch_break()
    {
        var cal = Create("Europe/Berlin", new() { [IsoDayOfWeek.Tuesday] = [R("13:00", "17:00"), R("09:00", "12:00")] });
        // Tuesday 2026-03-31 (CEST): 09:00 local = 07:00Z. Four hours: 09-12 and 13-14.
        cal.AddBusinessTime(Utc("2026-03-31T06:00:00Z"), Duration.FromHours(4)).Should().Be(Utc("2026-03-31T12:00:00Z"));
        cal.Week[IsoDayOfWeek.Tuesday].Should().Equal(R("09:00", "12:00"), R("13:00", "17:00"));
        cal.WorkingIntervals(Utc("2026-03-31T00:00:00Z"), Utc("2026-04-01T00:00:00Z")).Should().Equal(
            new Interval(Utc("2026-03-31T07:00:00Z"), Utc("2026-03-31T10:00:00Z")),
            new Interval(Utc("2026-03-31T11:00:00Z"), Utc("2026-03-31T15:00:00Z")));
    }

    [Fact]
    public void Range_ending_at_24_00_joins_the_next_days_range_starting_at_midnight()
    {
        var cal = Create("UTC", new()
        {
            [IsoDayOfWeek.Friday] = [R("20:00", "24:00")],
            [IsoDayOfWeek.Saturday] = [R("00:00", "04:00")],
        });
        cal.WorkingIntervals(Utc("2026-03-27T00:00:00Z"), Utc("2026-03-29T00:00:00Z"))
            .Should().Equal(new Interval(Utc("2026-03-27T20:00:00Z"), Utc("2026-03-28T04:00:00Z")));
        cal.AddBusinessTime(Utc("2026-03-27T12:00:00Z"), Duration.FromHours(4)).Should().Be(Utc("2026-03-28T00:00:00Z"));
    }

    [Fact]
    public void Reaching_the_amount_exactly_at_closing_time_returns_closing_time()
    {
        OfficeHours().AddBusinessTime(Utc("2026-03-30T07:00:00Z"), Duration.FromHours(8)).Should().Be(Utc("2026-03-30T15:00:00Z"));
    }

    [Fact]
    public void Adding_nothing_returns_the_start_even_outside_hours()
    {
        OfficeHours().AddBusinessTime(Utc("2026-03-28T03:00:00Z"), Duration.Zero).Should().Be(Utc("2026-03-28T03:00:00Z"));
    }

    [Fact]
    public void Adding_from_outside_hours_starts_at_the_next_opening()
    {
        OfficeHours().AddBusinessTime(Utc("2026-03-28T03:00:00Z"), Duration.FromMinutes(1)).Should().Be(Utc("2026-03-30T07:01:00Z"));
    }

    [Fact]
    public void Adding_negative_business_time_is_refused()
    {
        var act = () => OfficeHours().AddBusinessTime(Utc("2026-03-28T03:00:00Z"), Duration.FromMinutes(-1));
        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Calendar_without_working_time_never_reaches_a_target_and_does_not_hang()
    {
        var cal = Create("Europe/Berlin", new Dictionary<IsoDayOfWeek, WorkingRange[]>());
        cal.HasWorkingTime.Should().BeFalse();
        cal.TryAddBusinessTime(Utc("2026-03-28T03:00:00Z"), Duration.FromHours(1), out _).Should().BeFalse();
        var act = () => cal.AddBusinessTime(Utc("2026-03-28T03:00:00Z"), Duration.FromHours(1));
        act.Should().Throw<InvalidOperationException>();
        cal.BusinessTimeBetween(Utc("2026-01-01T00:00:00Z"), Utc("2027-01-01T00:00:00Z")).Should().Be(Duration.Zero);
    }

    [Fact]
    public void A_year_of_holidays_is_skipped_quickly()
    {
        var start = Date("2026-01-01");
        var holidays = Enumerable.Range(0, 365).Select(i => start.PlusDays(i).ToString("uuuu-MM-dd", null)).ToArray();
        var cal = OfficeHours("Europe/Berlin", holidays);
        // 2027-01-01 is a Friday: 8 h there, then 32 h = Monday-Thursday of the next week.
        cal.AddBusinessTime(Utc("2026-01-01T00:00:00Z"), Duration.FromHours(40)).Should().Be(Utc("2027-01-07T16:00:00Z"));
    }

    [Fact]
    public void Twenty_four_seven_counts_every_instant()
    {
        var cal = BusinessCalendar.TwentyFourSeven;
        cal.BusinessTimeBetween(Utc("2026-03-28T03:00:00Z"), Utc("2026-03-30T03:00:00Z")).Should().Be(Duration.FromHours(48));
        cal.AddBusinessTime(Utc("2026-03-28T03:00:00Z"), Duration.FromHours(40)).Should().Be(Utc("2026-03-29T19:00:00Z"));
    }

    [Fact]
    public void Overlapping_ranges_are_refused_naming_the_range_as_given()
    {
        var act = () => Create("Europe/Berlin", new() { [IsoDayOfWeek.Tuesday] = [R("09:00", "12:00"), R("11:00", "13:00")] });
        act.Should().Throw<ArgumentException>().WithMessage("calendar.week.tuesday[1]: overlaps 09:00-12:00");
    }

    [Fact]
    public void Range_ending_before_it_starts_is_refused()
    {
        var act = () => Create("Europe/Berlin", new() { [IsoDayOfWeek.Monday] = [R("17:00", "09:00")] });
        act.Should().Throw<ArgumentException>().WithMessage("calendar.week.monday[0]: start 17:00 is not before end 09:00");
    }

    [Fact]
    public void Range_after_one_running_to_midnight_overlaps_it()
    {
        var act = () => Create("UTC", new() { [IsoDayOfWeek.Monday] = [R("20:00", "24:00"), R("22:00", "23:00")] });
        act.Should().Throw<ArgumentException>().WithMessage("calendar.week.monday[1]: overlaps 20:00-24:00");
    }
}
