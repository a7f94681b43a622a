using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Reporting;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Reporting.Breaches.GetBreaches;

/// <summary>
/// The breach review (lead, admin): every cycle that breached in the period (its breach instant falls in it, whether the
/// cycle is still running past its target or has stopped), newest first, for the caller's teams (the ticket's team).
/// <see cref="Agent"/> filters on the agent the breach is attributed to; <see cref="Acknowledged"/> is true or false.
/// </summary>
public sealed record GetBreaches(
    string? From, string? To, string? Team = null, string? Agent = null, string? Metric = null, string? Priority = null,
    string? Acknowledged = null, int Page = 1, int PageSize = 50, string? Tz = null) : IQuery<BreachPage>, ILeadOnly, IReportPeriodQuery;

public sealed class GetBreachesValidator : AbstractValidator<GetBreaches>
{
    public GetBreachesValidator()
    {
        Include(new ReportPeriodValidator());
        RuleFor(q => q.Metric).Must(m => m is null || Vocabulary.TryMetric(m, out _))
            .WithMessage($"'metric' must be one of {Vocabulary.ListOf(Vocabulary.MetricNames)}.");
        RuleFor(q => q.Priority).Must(p => p is null || Vocabulary.TryPriority(p, out _))
            .WithMessage($"'priority' must be one of {Vocabulary.ListOf(Vocabulary.PriorityNames)}.");
        RuleFor(q => q.Acknowledged).Must(a => a is null || bool.TryParse(a, out _))
            .WithMessage("'acknowledged' must be true or false.");
        RuleFor(q => q.Page).GreaterThanOrEqualTo(1).WithMessage("'page' must be 1 or more.");
        RuleFor(q => q.PageSize).InclusiveBetween(1, 200).WithMessage("'pageSize' must be between 1 and 200.");
    }
}

public sealed class GetBreachesHandler(HelpDeskDbContext db, ReportScope reports) : IQueryHandler<GetBreaches, BreachPage>
{
    public async ValueTask<BreachPage> Handle(GetBreaches query, CancellationToken ct)
    {
        var period = ReportPeriod.Of(query);
        var teams = await reports.TeamsAsync(query.Team, ct);
        var agentId = await reports.AgentIdAsync(query.Agent, ct);
        var (start, end) = (period.Start, period.End);

        // BreachedAt is set exactly when a cycle is breached, so the range on the (BreachedAt, TeamId) index is the
        // whole selection; the other filters narrow within it.
        var cycles = db.Set<ReportCycle>().AsNoTracking().Where(c => c.BreachedAt >= start && c.BreachedAt < end)
            .VisibleTo(teams);
        if (agentId is not null) cycles = cycles.Where(c => c.AttributedAgentId == agentId);
        if (query.Metric is not null && Vocabulary.TryMetric(query.Metric, out var metric)) cycles = cycles.Where(c => c.Metric == metric);
        if (query.Priority is not null && Vocabulary.TryPriority(query.Priority, out var priority)) cycles = cycles.Where(c => c.Priority == priority);
        if (query.Acknowledged is not null && bool.TryParse(query.Acknowledged, out var acknowledged))
        {
            var acknowledgements = db.Set<BreachAcknowledgement>();
            cycles = cycles.Where(c => acknowledgements.Any(a => a.TicketId == c.TicketId && a.Metric == c.Metric && a.Cycle == c.Cycle) == acknowledged);
        }

        var total = await cycles.CountAsync(ct);
        var page = cycles
            .OrderByDescending(c => c.BreachedAt).ThenByDescending(c => c.TicketNumber).ThenBy(c => c.Metric).ThenBy(c => c.Cycle)
            .Skip((query.Page - 1) * query.PageSize).Take(query.PageSize);
        return new BreachPage(total, query.Page, query.PageSize, await BreachItems.LoadAsync(db, page, ct));
    }
}
