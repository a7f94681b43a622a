using System.Text.Json;
using HelpDesk.Application.Sla.Format;
using HelpDesk.Domain.Sla;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Application.Sla.Simulation;

/// <summary>
/// The JSON shape of an SLA report shared by <c>helpdesk sla simulate</c> and <c>GET /api/v1/tickets/{number}/sla</c>:
/// instants as ISO-8601 UTC with <c>Z</c>, durations as ISO-8601 hours/minutes/seconds, absent values as null.
/// </summary>
public sealed record SlaReportDto(IReadOnlyList<SlaClockDto> Clocks)
{
    public static SlaReportDto From(SlaReport report) => new([.. report.Clocks.Select(SlaClockDto.From)]);
}

/// <summary>One cycle in the shape of sla.md "Explain and simulate".</summary>
public sealed record SlaClockDto(
    string Metric,
    int Cycle,
    string State,
    string Target,
    string StartedAt,
    string? StoppedAt,
    string? DueAt,
    string? BreachedAt,
    string Counted,
    IReadOnlyList<SlaWarningDto> Warnings,
    IReadOnlyList<SlaSegmentDto> Segments)
{
    public static SlaClockDto From(SlaCycle c) => new(
        SlaReportJson.Name(c.Metric),
        c.Cycle,
        SlaReportJson.Name(c.State),
        IsoDuration.Format(c.Target),
        SlaReportJson.FormatInstant(c.StartedAt),
        SlaReportJson.FormatInstant(c.StoppedAt),
        SlaReportJson.FormatInstant(c.DueAt),
        SlaReportJson.FormatInstant(c.BreachedAt),
        IsoDuration.Format(c.Counted),
        [.. c.Warnings.Select(w => new SlaWarningDto(w.Percent, SlaReportJson.FormatInstant(w.At)))],
        [.. c.Segments.Select(s => new SlaSegmentDto(SlaReportJson.FormatInstant(s.From), SlaReportJson.FormatInstant(s.To), SlaReportJson.Name(s.Kind)))]);
}

/// <summary>A warning threshold and the instant it was (or will be) reached.</summary>
public sealed record SlaWarningDto(int Percent, string At);

/// <summary>A <c>[from, to)</c> span of a cycle and its kind (counting, outside_hours, paused, stopped).</summary>
public sealed record SlaSegmentDto(string From, string To, string Kind);

/// <summary>Formatting and serialisation of SLA reports.</summary>
public static class SlaReportJson
{
    /// <summary>camelCase, nulls written, indented with "\n": the web API should serialise <see cref="SlaReportDto"/> with these.</summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NewLine = "\n",
    };

    /// <summary>The report as the simulator's output JSON (no trailing newline).</summary>
    public static string Serialize(SlaReport report) => JsonSerializer.Serialize(SlaReportDto.From(report), Options);

    /// <summary><c>2026-03-30T08:00:00Z</c>; fractional seconds only when present (<c>...:00.5Z</c>).</summary>
    public static string FormatInstant(Instant instant) => InstantPattern.ExtendedIso.Format(instant);

    public static string? FormatInstant(Instant? instant) => instant is { } i ? FormatInstant(i) : null;

    public static string Name(SlaMetric metric) => metric switch
    {
        SlaMetric.FirstResponse => "firstResponse",
        SlaMetric.NextReply => "nextReply",
        SlaMetric.Resolution => "resolution",
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, null),
    };

    public static string Name(CycleState state) => state switch
    {
        CycleState.Running => "running",
        CycleState.Paused => "paused",
        CycleState.Met => "met",
        CycleState.Breached => "breached",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static string Name(SegmentKind kind) => kind switch
    {
        SegmentKind.Counting => "counting",
        SegmentKind.OutsideHours => "outside_hours",
        SegmentKind.Paused => "paused",
        SegmentKind.Stopped => "stopped",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}
