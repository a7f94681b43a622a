using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla.Simulation;
using HelpDesk.Domain.Reporting;
using HelpDesk.Domain.Sla;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Reporting.Breaches;

public sealed record BreachPage(int Total, int Page, int PageSize, IReadOnlyList<BreachItem> Items);

/// <summary>
/// One breached cycle as the review shows it. <see cref="CountedMs"/> (and so <see cref="OverrunMs"/>) is as of the
/// ticket's last change: for a cycle that stopped, final; for one still running past its target, the business time
/// counted when the breach fired or the ticket last changed.
/// </summary>
public sealed record BreachItem(
    int TicketNumber, string Subject, BreachTeam Team, string Metric, int Cycle, string Priority, string State,
    long TargetMs, long CountedMs, long OverrunMs, Instant StartedAt, Instant? BreachedAt, Instant? StoppedAt,
    BreachHolder AttributedTo, IReadOnlyList<BreachShare> Shares, IReadOnlyList<BreachSegment> Segments,
    BreachAcknowledgementDto? Acknowledgement);

public sealed record BreachTeam(Guid Id, string Name);

public sealed record BreachHolder(Guid? TeamId, string? Team, Guid? AgentId, string? Agent);

public sealed record BreachShare(Guid TeamId, string Team, Guid? AgentId, string? Agent, long CountedMs);

/// <summary>A <c>[from, to)</c> span of the cycle: counting, outside_hours, paused or stopped.</summary>
public sealed record BreachSegment(Instant From, Instant To, string Kind);

public sealed record BreachAcknowledgementDto(string Category, string Note, string By, Instant At);

/// <summary>Root-cause categories as the API names them.</summary>
public static class BreachCauses
{
    private static readonly Dictionary<string, BreachCause> ByName = new(StringComparer.OrdinalIgnoreCase)
    {
        ["staffing"] = BreachCause.Staffing, ["customer_delay"] = BreachCause.CustomerDelay, ["third_party"] = BreachCause.ThirdParty,
        ["misrouted"] = BreachCause.Misrouted, ["process"] = BreachCause.Process, ["tooling"] = BreachCause.Tooling, ["other"] = BreachCause.Other,
    };

    public static IEnumerable<string> Names => ByName.Keys;

    public static bool TryParse(string? name, out BreachCause cause) => ByName.TryGetValue(name?.Trim() ?? "", out cause);

    public static string Name(BreachCause cause) => ByName.First(kv => kv.Value == cause).Key;
}

/// <summary>Builds review items for a page of cycles: the cycles in one query, then names, subjects and acknowledgements for that page only.</summary>
internal static class BreachItems
{
    /// <param name="cycles">Already filtered, ordered and paged.</param>
    public static async Task<List<BreachItem>> LoadAsync(HelpDeskDbContext db, IQueryable<ReportCycle> cycles, CancellationToken ct)
    {
        var rows = await cycles.Select(c => new
        {
            c.TicketId, c.TicketNumber, c.TeamId, c.Metric, c.Cycle, c.Priority, c.State, c.TargetMs, c.CountedMs,
            c.StartedAt, c.BreachedAt, c.StoppedAt, c.AttributedTeamId, c.AttributedAgentId, c.Explanation,
        }).ToListAsync(ct);
        if (rows.Count == 0) return [];

        var explanations = rows.Select(r => BreachExplanation.Parse(r.Explanation)).ToList();
        var ticketIds = rows.Select(r => r.TicketId).Distinct().ToList();
        var teamIds = rows.Select(r => r.TeamId)
            .Concat(rows.Where(r => r.AttributedTeamId is not null).Select(r => r.AttributedTeamId!.Value))
            .Concat(explanations.SelectMany(e => e.Shares).Select(s => s.TeamId)).Distinct().ToList();
        var acknowledgements = await db.Set<BreachAcknowledgement>().AsNoTracking().Where(a => ticketIds.Contains(a.TicketId)).ToListAsync(ct);
        var agentIds = rows.Where(r => r.AttributedAgentId is not null).Select(r => r.AttributedAgentId!.Value)
            .Concat(explanations.SelectMany(e => e.Shares).Where(s => s.AgentId is not null).Select(s => s.AgentId!.Value))
            .Concat(acknowledgements.Select(a => a.AgentId)).Distinct().ToList();
        var subjects = await db.Tickets.AsNoTracking().Where(t => ticketIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Subject, ct);
        var teams = await db.Teams.AsNoTracking().Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var agents = await db.Agents.AsNoTracking().Where(a => agentIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a.Name, ct);

        string? Team(Guid? id) => id is { } t ? teams.GetValueOrDefault(t, "") : null;
        string? Agent(Guid? id) => id is { } a ? agents.GetValueOrDefault(a, "") : null;

        return rows.Select((r, i) =>
        {
            var acknowledgement = acknowledgements.FirstOrDefault(a => a.TicketId == r.TicketId && a.Metric == r.Metric && a.Cycle == r.Cycle);
            return new BreachItem(
                r.TicketNumber, subjects.GetValueOrDefault(r.TicketId, ""), new BreachTeam(r.TeamId, Team(r.TeamId)!),
                Vocabulary.Name(r.Metric), r.Cycle, Vocabulary.Name(r.Priority), SlaReportJson.Name(r.State),
                r.TargetMs, r.CountedMs, r.CountedMs - r.TargetMs, r.StartedAt, r.BreachedAt, r.StoppedAt,
                new BreachHolder(r.AttributedTeamId, Team(r.AttributedTeamId), r.AttributedAgentId, Agent(r.AttributedAgentId)),
                explanations[i].Shares.Select(s => new BreachShare(s.TeamId, Team(s.TeamId)!, s.AgentId, Agent(s.AgentId), s.CountedMs)).ToList(),
                explanations[i].Segments.Select(s => new BreachSegment(s.From, s.To, SlaReportJson.Name(s.Kind))).ToList(),
                acknowledgement is null ? null
                    : new BreachAcknowledgementDto(BreachCauses.Name(acknowledgement.Category), acknowledgement.Note, Agent(acknowledgement.AgentId)!, acknowledgement.At));
        }).ToList();
    }

    /// <summary>
    /// The breached cycle a lead wants to acknowledge: 404 when the ticket, the cycle or the breach does not exist
    /// (acknowledging needs the lead role, checked before), 403 when it belongs to a team the caller does not lead.
    /// </summary>
    public static async Task<(Guid TicketId, SlaMetric Metric, int Cycle)> FindForAcknowledgementAsync(
        HelpDeskDbContext db, Caller caller, int ticketNumber, SlaMetric metric, int cycle, CancellationToken ct)
    {
        var ticketId = await db.Set<ReportTicket>().Where(t => t.Number == ticketNumber).Select(t => (Guid?)t.TicketId).SingleOrDefaultAsync(ct);
        var teamId = ticketId is null ? null : await db.Set<ReportCycle>()
            .Where(c => c.TicketId == ticketId && c.Metric == metric && c.Cycle == cycle && c.BreachedAt != null)
            .Select(c => (Guid?)c.TeamId).SingleOrDefaultAsync(ct);
        if (teamId is null)
            throw new NotFoundException($"Ticket #{ticketNumber} has no breached {Vocabulary.Name(metric)} cycle {cycle}.");
        var agent = await caller.RequireAgentAsync(ct);
        if (!agent.CanWorkOn(teamId.Value)) throw new ForbiddenException("You may only acknowledge breaches of your own teams.");
        return (ticketId!.Value, metric, cycle);
    }

    public static Task<List<BreachItem>> LoadOneAsync(HelpDeskDbContext db, (Guid TicketId, SlaMetric Metric, int Cycle) key, CancellationToken ct) =>
        LoadAsync(db, db.Set<ReportCycle>().AsNoTracking().Where(c => c.TicketId == key.TicketId && c.Metric == key.Metric && c.Cycle == key.Cycle), ct);
}
