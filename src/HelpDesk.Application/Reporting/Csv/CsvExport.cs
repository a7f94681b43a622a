using System.Globalization;
using CsvHelper;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Application.Reporting.Csv;

/// <summary>A CSV file the host streams to the client: its download name and what writes it.</summary>
public sealed record CsvFile(string FileName, Func<Stream, CancellationToken, Task> WriteAsync);

/// <summary>
/// What an export covers: the period, the teams (null: all) and every team's and agent's name. Teams and agents are
/// few, so names are looked up in memory instead of joined on every row.
/// </summary>
internal sealed record ExportScope(ReportPeriod Period, IReadOnlyList<Guid>? Teams, Dictionary<Guid, string> TeamNames, Dictionary<Guid, string> AgentNames)
{
    public static async Task<ExportScope> LoadAsync(HelpDeskDbContext db, ReportScope reports, IReportPeriodQuery period, string? team, CancellationToken ct) =>
        new(ReportPeriod.Of(period), await reports.TeamsAsync(team, ct),
            await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct),
            await db.Agents.AsNoTracking().ToDictionaryAsync(a => a.Id, a => a.Name, ct));

    public string? Team(Guid? id) => id is { } t ? TeamNames.GetValueOrDefault(t) : null;

    public string? Agent(Guid? id) => id is { } a ? AgentNames.GetValueOrDefault(a) : null;
}

/// <summary>
/// How every export is written (docs/reporting.md, "Breach review and CSV export"): CsvHelper does the RFC 4180
/// quoting; UTF-8 with a byte order mark so Excel reads accented names right; text cells that start with = + - @, tab or
/// CR get a leading ' (OWASP CSV injection); numbers are written as numbers (invariant culture, '.' decimal point) and
/// are never escaped, which is safe because durations are never negative; instants are local times in the report's zone.
/// </summary>
internal static class CsvExport
{
    public static readonly CsvWriterOptions Options = new()
    {
        WriteByteOrderMark = true,
        Injection = CsvInjection.Escape,
        FormatProvider = CultureInfo.InvariantCulture,
    };

    private static readonly LocalDateTimePattern LocalTime = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd' 'HH':'mm':'ss");

    public static string FileName(string what, ReportPeriod period) =>
        $"{what}-{LocalDatePattern.Iso.Format(period.From)}-to-{LocalDatePattern.Iso.Format(period.To)}.csv";

    /// <summary>Streams <paramref name="rows"/> under <paramref name="header"/>, flushing as the buffer fills (never the whole file in memory).</summary>
    public static async Task WriteAsync<T>(Stream stream, string[] header, IAsyncEnumerable<T> rows, Action<CsvWriter, T> write, CancellationToken ct)
    {
        await using var csv = CsvWriter.Create(stream, Options, leaveOpen: true);
        csv.WriteHeader(header);
        await foreach (var row in rows.WithCancellation(ct))
        {
            write(csv, row);
            await csv.EndRecordAsync(ct);
        }
        await csv.FlushAsync(ct);
    }

    /// <summary>An instant as local date and time in <paramref name="zone"/> (what a spreadsheet parses); empty when absent.</summary>
    public static void Time(this CsvWriter csv, Instant? instant, DateTimeZone zone) =>
        csv.WriteField(instant is { } i ? LocalTime.Format(i.InZone(zone).LocalDateTime) : null);

    /// <summary>Milliseconds as hours with up to two decimals (a number, never negative here); empty when absent.</summary>
    public static void Hours(this CsvWriter csv, long? ms)
    {
        if (ms is { } v) csv.WriteField(Math.Round(v / 3_600_000d, 2), "0.##");
        else csv.WriteField((string?)null);
    }
}
