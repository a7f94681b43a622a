using System.Text.Json;
using HelpDesk.Application.Sla.Simulation;
using HelpDesk.Application.Tickets.GetTicketSla;

namespace HelpDesk.Web.Endpoints;

/// <summary>
/// The ticket SLA answer: exactly the simulator's output (<c>clocks</c>, same field formats), plus the ticket number,
/// the evaluation instant, and which policy and calendar versions applied from when.
/// </summary>
public static class TicketSlaJson
{
    public sealed record VersionJson(string From, string Policy, int PolicyVersion, string Calendar, int CalendarVersion);

    public sealed record TicketSlaJsonBody(int Ticket, string EvaluatedAt, string? Policy, IReadOnlyList<VersionJson> Versions, IReadOnlyList<SlaClockDto> Clocks);

    public static string Write(TicketSlaResult sla) => JsonSerializer.Serialize(new TicketSlaJsonBody(
        sla.Number,
        SlaReportJson.FormatInstant(sla.EvaluatedAt),
        sla.Policy,
        [.. sla.Versions.Select(v => new VersionJson(SlaReportJson.FormatInstant(v.From), v.Policy, v.PolicyVersion, v.Calendar, v.CalendarVersion))],
        SlaReportDto.From(sla.Report).Clocks), SlaReportJson.Options);
}
