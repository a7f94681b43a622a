using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla.Format;
using HelpDesk.Domain.Sla;
using NodaTime;

namespace HelpDesk.Application.Tests.Sla;

public sealed class ConfigurationFormatTests
{
    [Theory]
    [InlineData("PT4H", 4 * 3600)]
    [InlineData("P1DT2H", 26 * 3600)]
    [InlineData("P1W", 7 * 24 * 3600)]
    [InlineData("PT-30M", -30 * 60)]
    public void Reads_durations_of_fixed_length(string text, long seconds)
    {
        IsoDuration.TryParse(text, out var duration).Should().BeTrue();
        duration.Should().Be(Duration.FromSeconds(seconds));
    }

    [Theory]
    [InlineData("P1M")]
    [InlineData("P1Y")]
    [InlineData("four hours")]
    [InlineData(null)]
    public void Refuses_durations_without_a_fixed_length(string? text) =>
        IsoDuration.TryParse(text, out _).Should().BeFalse();

    [Fact]
    public void Time_only_durations_refuse_days() =>
        IsoDuration.TryParse("P1D", out _, timeOnly: true).Should().BeFalse();

    [Fact]
    public void Reports_every_calendar_problem_by_its_field()
    {
        var errors = new List<FieldError>();

        var calendar = CalendarFormat.Parse("Mars/Olympus",
            [("monday", [["09:00", "25:00"]]), ("funday", []), ("tuesday", [["09:00"]])], ["2026-13-01"], errors);

        calendar.Should().BeNull();
        errors.Select(e => e.Field).Should().Equal("timeZone", "week.monday[0][1]", "week.funday", "week.tuesday[0]", "holidays[0]");
    }

    [Fact]
    public void Names_the_range_the_domain_refuses_relative_to_the_calendar()
    {
        var errors = new List<FieldError>();

        CalendarFormat.Parse("Europe/Berlin", [("Monday", [["09:00", "12:00"], ["11:00", "17:00"]])], [], errors);

        errors.Should().ContainSingle().Which.Should().Be(new FieldError("week.monday[1]", "overlaps 09:00-12:00"));
    }

    [Fact]
    public void A_stored_calendar_reads_back_what_was_written_including_seconds()
    {
        var errors = new List<FieldError>();
        var calendar = CalendarFormat.Parse("Europe/Berlin", [("monday", [["09:00:30", "24:00"]])], ["2026-12-24"], errors)!;

        var read = StoredCalendar.From(calendar).ToCalendar();

        StoredCalendar.From(read).Should().BeEquivalentTo(StoredCalendar.From(calendar));
        read.Week[IsoDayOfWeek.Monday].Should().Equal(new WorkingRange(new LocalTime(9, 0, 30), null));
    }
}
