using CsvHelper;
using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Reporting.Breaches;
using HelpDesk.Application.Sla.Simulation;
using HelpDesk.Domain.Reporting;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Reporting.Csv.ExportCycles;

/// <summary>
/// cycles.csv (lead, admin): one row per SLA cycle that stopped or breached in the period (a cycle still running past
/// its target is included by its breach instant), for the caller's teams, with attribution and acknowledgement.
/// </summary>
public sealed record ExportCycles(string? From, string? To, string? Team = null, string? Tz = null) : IQuery<CsvFile>, ILeadOnly, IReportPeriodQuery;

public sealed class ExportCyclesValidator : AbstractValidator<ExportCycles>
{
    public ExportCyclesValidator() => Include(new ReportPeriodValidator());
}

public sealed class ExportCyclesHandler(HelpDeskDbContext db, ReportScope reports) : IQueryHandler<ExportCycles, CsvFile>
{
    public static readonly string[] Header =
    [
        "ticket", "metric", "cycle", "priority", "team", "target_hours", "counted_hours", "state", "started", "stopped",
        "breached", "attributed_team", "attributed_agent", "acknowledgement_category", "acknowledgement_note",
    ];

    public async ValueTask<CsvFile> Handle(ExportCycles query, CancellationToken ct)
    {
        var scope = await ExportScope.LoadAsync(db, reports, query, query.Team, ct);
        var (period, teams, start, end) = (scope.Period, scope.Teams, scope.Period.Start, scope.Period.End);

        var cycles = db.Set<ReportCycle>().AsNoTracking()
            .Where(c => (c.StoppedAt >= start && c.StoppedAt < end) || (c.BreachedAt >= start && c.BreachedAt < end))
            .VisibleTo(teams);
        var acknowledgements = db.Set<BreachAcknowledgement>();
        var rows = cycles
            .OrderBy(c => c.TicketNumber).ThenBy(c => c.Metric).ThenBy(c => c.Cycle)
            .Select(c => new Row(
                c.TicketNumber, c.Metric, c.Cycle, c.Priority, c.TeamId, c.TargetMs, c.CountedMs, c.State, c.StartedAt, c.StoppedAt,
                c.BreachedAt, c.AttributedTeamId, c.AttributedAgentId,
                acknowledgements.Where(a => a.TicketId == c.TicketId && a.Metric == c.Metric && a.Cycle == c.Cycle)
                    .Select(a => (BreachCause?)a.Category).FirstOrDefault(),
                acknowledgements.Where(a => a.TicketId == c.TicketId && a.Metric == c.Metric && a.Cycle == c.Cycle)
                    .Select(a => a.Note).FirstOrDefault()))
            .AsAsyncEnumerable();

        return new CsvFile(CsvExport.FileName("cycles", period), (stream, token) => CsvExport.WriteAsync(stream, Header, rows, (csv, r) =>
        {
            csv.WriteField(r.TicketNumber, "");
            csv.WriteField(Vocabulary.Name(r.Metric));
            csv.WriteField(r.Cycle, "");
            csv.WriteField(Vocabulary.Name(r.Priority));
            csv.WriteField(scope.Team(r.TeamId));
            csv.Hours(r.TargetMs);
            csv.Hours(r.CountedMs);
            csv.WriteField(SlaReportJson.Name(r.State));
            csv.Time(r.StartedAt, period.Zone);
            csv.Time(r.StoppedAt, period.Zone);
            csv.Time(r.BreachedAt, period.Zone);
            csv.WriteField(scope.Team(r.AttributedTeamId));
            csv.WriteField(scope.Agent(r.AttributedAgentId));
            csv.WriteField(r.Category is { } category ? BreachCauses.Name(category) : null);
            csv.WriteField(r.Note);
        }, token));
    }

    private sealed record Row(
        int TicketNumber, SlaMetric Metric, int Cycle, Priority Priority, Guid TeamId, long TargetMs, long CountedMs, CycleState State,
        Instant StartedAt, Instant? StoppedAt, Instant? BreachedAt, Guid? AttributedTeamId, Guid? AttributedAgentId,
        BreachCause? Category, string? Note);
}
