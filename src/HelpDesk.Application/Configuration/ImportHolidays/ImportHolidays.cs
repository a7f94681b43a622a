using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Common;
using HelpDesk.Application.Configuration.PutCalendar;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Sla;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Configuration.ImportHolidays;

/// <summary>
/// Adds the all-day events of an iCalendar (<c>.ics</c>) file to a calendar's holidays as a new calendar version (running
/// SLA cycles of open tickets are recomputed, as for <see cref="PutCalendar.PutCalendar"/>). Read by Ical.Net: multi-day
/// events give every day they cover; recurring ones (a yearly <c>RRULE</c>) give their days up to the end of next year.
/// Events with a time of day, dates already holidays and cancelled events are skipped with a reason.
/// </summary>
public sealed record ImportHolidays(string Name, string Ics, string? IfMatch = null) : ICommand<HolidayImport>, IAdminOnly;

/// <param name="Version">The calendar version written; null when nothing was added (no version is written then).</param>
public sealed record HolidayImport(string Calendar, int? Version, IReadOnlyList<ImportedHoliday> Added, IReadOnlyList<SkippedHoliday> Skipped);

public sealed record ImportedHoliday(LocalDate Date, string? Summary);

public sealed record SkippedHoliday(string? Date, string? Summary, string Reason);

public sealed class ImportHolidaysHandler(HelpDeskDbContext db, SlaConfigurationCache slaConfiguration, IClock clock, SlaRecomputation recomputation)
    : ICommandHandler<ImportHolidays, HolidayImport>
{
    public async ValueTask<HolidayImport> Handle(ImportHolidays command, CancellationToken ct)
    {
        var name = command.Name.Trim().ToLowerInvariant();
        var latest = await db.CalendarVersions.AsNoTracking().Where(c => c.Name == name).OrderByDescending(c => c.Version).FirstOrDefaultAsync(ct)
            ?? throw new NotFoundException($"There is no calendar '{command.Name}'.");
        EntityTags.Require(command.IfMatch, latest.Version, $"Calendar '{name}'");
        if (latest.Calendar.IsAlwaysOpen)
            throw new ValidationException([new ValidationFailure("calendar", $"Calendar '{name}' is open around the clock (24/7); it has no holidays.")]);
        var now = clock.GetCurrentInstant();
        var until = new LocalDate(now.InUtc().Year + 1, 12, 31);
        var (found, skipped) = IcsHolidays.Read(command.Ics, until);

        var holidays = latest.Calendar.Holidays.ToHashSet();
        var added = new List<ImportedHoliday>();
        foreach (var day in found)
        {
            if (holidays.Add(day.Date)) added.Add(day);
            else skipped.Add(new SkippedHoliday(day.Date.ToString("uuuu-MM-dd", null), day.Summary, "already a holiday"));
        }
        if (added.Count == 0) return new HolidayImport(name, null, [], skipped);

        var body = CalendarBody.From(latest.Calendar) with { Holidays = [.. holidays.Order().Select(d => d.ToString("uuuu-MM-dd", null))] };
        var calendar = body.ToCalendar(out var failures);
        if (failures.Count > 0) throw new ValidationException(failures);
        db.CalendarVersions.Add(new BusinessCalendarVersion(Guid.CreateVersion7(), name, latest.Version + 1, now, calendar));
        await db.SaveChangesAsync(ct);
        slaConfiguration.Invalidate();
        await recomputation.RecomputeOpenTicketsAsync(now, ct);
        return new HolidayImport(name, latest.Version + 1, [.. added.OrderBy(a => a.Date)], skipped);
    }
}

/// <summary>The reading of an iCalendar file as holiday dates (Ical.Net parses; this only decides what is a holiday).</summary>
public static class IcsHolidays
{
    /// <summary>The days of the file's all-day events up to <paramref name="until"/>, in file order, and what was skipped.</summary>
    /// <exception cref="ValidationException">not an iCalendar file (field <c>file</c>).</exception>
    public static (List<ImportedHoliday> Days, List<SkippedHoliday> Skipped) Read(string ics, LocalDate until)
    {
        Ical.Net.Calendar? file;
        try
        {
            file = Ical.Net.Calendar.Load(ics);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Ical.Net reports bad input with several exception types (SerializationException, ArgumentException, FormatException).
            throw NotICalendar($"it could not be read as iCalendar ({e.Message.ReplaceLineEndings(" ")})");
        }
        if (file is null) throw NotICalendar("it holds no VCALENDAR");

        var days = new List<ImportedHoliday>();
        var skipped = new List<SkippedHoliday>();
        foreach (var e in file.Events)
        {
            var start = e.DtStart;
            if (start is null) { skipped.Add(new(null, e.Summary, "no start date")); continue; }
            var date = start.Date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            if (start.HasTime) { skipped.Add(new(date, e.Summary, "not an all-day event (it has a time of day)")); continue; }
            if (string.Equals(e.Status, "CANCELLED", StringComparison.OrdinalIgnoreCase)) { skipped.Add(new(date, e.Summary, "cancelled")); continue; }
            var length = e.DtEnd is { } end ? Math.Max(1, end.Date.DayNumber - start.Date.DayNumber) : 1;
            // Ical.Net expands RRULE, RDATE and EXDATE; the event's own date always counts, repeats stop at `until`.
            var starts = e.GetOccurrences(start).Select(o => o.Period.StartTime.Date).TakeWhile((d, i) => i == 0 || LocalDate.FromDateOnly(d) <= until);
            foreach (var first in starts)
                for (var i = 0; i < length; i++)
                    days.Add(new ImportedHoliday(LocalDate.FromDateOnly(first).PlusDays(i), e.Summary));
        }
        if (days.Count == 0 && skipped.Count == 0) throw NotICalendar("it holds no events");
        return ([.. days.DistinctBy(d => d.Date)], skipped);
    }

    private static ValidationException NotICalendar(string why) =>
        new([new ValidationFailure("file", $"This is not a holiday calendar: {why}.")]);
}
