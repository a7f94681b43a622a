using HelpDesk.Application.Reporting.Breaches;
using HelpDesk.Application.Reporting.Breaches.AcknowledgeBreach;
using HelpDesk.Application.Reporting.Breaches.GetBreaches;
using HelpDesk.Application.Reporting.Csv.ExportCycles;
using HelpDesk.Application.Reporting.Csv.ExportTickets;
using Mediator;

namespace HelpDesk.Web.Endpoints;

/// <summary>The breach review and the CSV exports (leads and admins; see docs/reporting.md).</summary>
public static class BreachEndpoints
{
    public sealed record AcknowledgementRequest(string? Category, string? Note);

    public static RouteGroupBuilder MapBreachEndpoints(this RouteGroupBuilder api)
    {
        var breaches = api.MapGroup("/breaches").WithTags("Reports");

        breaches.MapGet("/", async (string? from, string? to, string? team, string? agent, string? metric, string? priority,
                string? acknowledged, int? page, int? pageSize, string? tz, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetBreaches(from, to, team, agent, metric, priority, acknowledged, page ?? 1, pageSize ?? 50, tz), ct)))
            .WithSummary("Breached SLA cycles of the period, newest first, with their explanation (lead, admin)").Produces<BreachPage>();

        breaches.MapPost("/{ticketNumber:int}/{metric}/{cycle:int}/acknowledgement",
                async (int ticketNumber, string metric, int cycle, AcknowledgementRequest r, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new AcknowledgeBreach(ticketNumber, metric, cycle, r.Category, r.Note), ct)))
            .WithSummary("Acknowledge a breach with a root cause and a note; again replaces it (lead, admin)").Produces<BreachItem>();

        breaches.MapDelete("/{ticketNumber:int}/{metric}/{cycle:int}/acknowledgement",
                async (int ticketNumber, string metric, int cycle, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new WithdrawBreachAcknowledgement(ticketNumber, metric, cycle), ct)))
            .WithSummary("Withdraw a breach's acknowledgement (lead, admin)").Produces<BreachItem>();

        var reports = api.MapGroup("/reports").WithTags("Reports");

        reports.MapGet("/tickets.csv", async (string? from, string? to, string? team, string? tz, IMediator m, CancellationToken ct) =>
            Csv(await m.Send(new ExportTickets(from, to, team, tz), ct), ct))
            .WithSummary("One row per ticket created in the period, UTF-8 CSV (lead, admin)").Produces(200, contentType: "text/csv");

        reports.MapGet("/cycles.csv", async (string? from, string? to, string? team, string? tz, IMediator m, CancellationToken ct) =>
            Csv(await m.Send(new ExportCycles(from, to, team, tz), ct), ct))
            .WithSummary("One row per SLA cycle stopped or breached in the period, UTF-8 CSV (lead, admin)").Produces(200, contentType: "text/csv");
        return api;
    }

    /// <summary>Streams the file as an attachment: rows go out as they are read, never the whole file in memory.</summary>
    private static IResult Csv(Application.Reporting.Csv.CsvFile file, CancellationToken ct) =>
        Results.Stream(stream => file.WriteAsync(stream, ct), "text/csv; charset=utf-8", file.FileName);
}
