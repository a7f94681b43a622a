using CsvHelper;
using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Surveys;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Reporting.Csv.ExportTickets;

/// <summary>
/// tickets.csv (lead, admin): one row per ticket <b>created</b> in the period, for the caller's teams. Created, not
/// solved, so a row never moves between exports as a ticket is worked: a ticket appears in the export of the period in
/// which the customer asked, with its outcome as of now.
/// </summary>
public sealed record ExportTickets(string? From, string? To, string? Team = null, string? Tz = null) : IQuery<CsvFile>, ILeadOnly, IReportPeriodQuery;

public sealed class ExportTicketsValidator : AbstractValidator<ExportTickets>
{
    public ExportTicketsValidator() => Include(new ReportPeriodValidator());
}

public sealed class ExportTicketsHandler(HelpDeskDbContext db, ReportScope reports) : IQueryHandler<ExportTickets, CsvFile>
{
    public static readonly string[] Header =
    [
        "number", "subject", "team", "agent", "priority", "channel", "status", "created", "first_response", "solved",
        "frt_business_hours", "frt_calendar_hours", "resolution_business_hours", "resolution_calendar_hours", "fcr",
        "sla_first_response", "sla_next_reply", "sla_resolution", "breaches", "csat",
    ];

    public async ValueTask<CsvFile> Handle(ExportTickets query, CancellationToken ct)
    {
        var scope = await ExportScope.LoadAsync(db, reports, query, query.Team, ct);
        var (period, teams, start, end) = (scope.Period, scope.Teams, scope.Period.Start, scope.Period.End);

        var tickets = db.Set<ReportTicket>().AsNoTracking().Where(t => t.CreatedAt >= start && t.CreatedAt < end).VisibleTo(teams);
        var rows = tickets
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.Number)
            .Select(t => new Row(
                t.Number, db.Tickets.Where(x => x.Id == t.TicketId).Select(x => x.Subject).FirstOrDefault() ?? "",
                t.TeamId, t.AssigneeId, t.Priority, t.Channel, t.Status, t.CreatedAt, t.FirstResponseAt, t.SolvedAt,
                t.FirstResponseBusinessMs, t.FirstResponseCalendarMs, t.ResolutionBusinessMs, t.ResolutionCalendarMs,
                t.FirstContactResolution, t.Breaches,
                t.Cycles.Select(c => new CycleOutcome(c.Metric, c.State)).ToList(),
                // The customer's latest answer (a survey per solve; a reopened and solved-again ticket may have two).
                db.Set<Survey>().Where(s => s.TicketId == t.TicketId && s.Rating != null)
                    .OrderByDescending(s => s.AnsweredAt).Select(s => s.Rating).FirstOrDefault()))
            .AsAsyncEnumerable();

        return new CsvFile(CsvExport.FileName("tickets", period), (stream, token) => CsvExport.WriteAsync(stream, Header, rows, (csv, r) =>
        {
            csv.WriteField(r.Number, "");
            csv.WriteField(r.Subject);
            csv.WriteField(scope.Team(r.TeamId));
            csv.WriteField(scope.Agent(r.AssigneeId));
            csv.WriteField(Vocabulary.Name(r.Priority));
            csv.WriteField(r.Channel);
            csv.WriteField(Vocabulary.Name(r.Status));
            csv.Time(r.CreatedAt, period.Zone);
            csv.Time(r.FirstResponseAt, period.Zone);
            csv.Time(r.SolvedAt, period.Zone);
            csv.Hours(r.FrtBusinessMs);
            csv.Hours(r.FrtCalendarMs);
            csv.Hours(r.ResolutionBusinessMs);
            csv.Hours(r.ResolutionCalendarMs);
            csv.WriteField(r.SolvedAt is null ? null : r.FirstContactResolution ? "yes" : "no");
            csv.WriteField(Outcome(r.Cycles, SlaMetric.FirstResponse));
            csv.WriteField(Outcome(r.Cycles, SlaMetric.NextReply));
            csv.WriteField(Outcome(r.Cycles, SlaMetric.Resolution));
            csv.WriteField(r.Breaches, "");
            csv.WriteField(r.Csat, "");
        }, token));
    }

    /// <summary>A clock's outcome over all its cycles: breached if any breached, else running while one runs (or is paused), else met; none without a target.</summary>
    public static string Outcome(IReadOnlyList<CycleOutcome> cycles, SlaMetric metric)
    {
        var states = cycles.Where(c => c.Metric == metric).Select(c => c.State).ToList();
        if (states.Count == 0) return "none";
        if (states.Contains(CycleState.Breached)) return "breached";
        return states.Any(s => s is CycleState.Running or CycleState.Paused) ? "running" : "met";
    }

    public sealed record CycleOutcome(SlaMetric Metric, CycleState State);

    private sealed record Row(
        int Number, string Subject, Guid TeamId, Guid? AssigneeId, Priority Priority, string Channel, TicketStatus Status,
        Instant CreatedAt, Instant? FirstResponseAt, Instant? SolvedAt, long? FrtBusinessMs, long? FrtCalendarMs,
        long? ResolutionBusinessMs, long? ResolutionCalendarMs, bool FirstContactResolution, int Breaches, List<CycleOutcome> Cycles, int? Csat);
}
