using HelpDesk.Application.Telemetry;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Reporting;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Reporting.Projection;

/// <summary>
/// Keeps a ticket's reporting rows (<see cref="ReportTicket"/>, <see cref="ReportCycle"/>) in step with the ticket, in
/// the caller's unit of work: <see cref="Sla.SlaScheduler"/> calls it after every evaluation, so every path that
/// changes a ticket (commands, mail, the due-queue firing a breach, recomputation) projects it before its SaveChanges.
/// </summary>
public sealed class ReportProjector(HelpDeskDbContext db, PendingCycleStops stops)
{
    public async Task ProjectAsync(Ticket ticket, SlaReport report, CancellationToken ct)
    {
        var isNew = db.Entry(ticket).State == EntityState.Added;
        var row = isNew
            ? null
            : db.Set<ReportTicket>().Local.FirstOrDefault(r => r.TicketId == ticket.Id)
              ?? await db.Set<ReportTicket>().Include(r => r.Cycles).FirstOrDefaultAsync(r => r.TicketId == ticket.Id, ct);
        // Without a previous row (a ticket from before the read model) nothing is known to have stopped just now.
        var known = isNew || row is not null;
        if (row is null)
        {
            row = new ReportTicket { TicketId = ticket.Id };
            db.Add(row);
        }
        var stoppedBefore = row.Cycles.Where(c => c.StoppedAt is not null).Select(c => (c.Metric, c.Cycle)).ToHashSet();
        Apply(row, ticket, report);
        if (known) await NoteStopsAsync(row, stoppedBefore, ct);
    }

    /// <summary>Cycles that stopped with this change, for the meters once it is committed (<see cref="PendingCycleStops"/>).</summary>
    private async Task NoteStopsAsync(ReportTicket row, HashSet<(SlaMetric, int)> stoppedBefore, CancellationToken ct)
    {
        string? team = null;
        foreach (var c in row.Cycles)
        {
            if (c.StoppedAt is null)
            {
                stops.Forget(c.TicketId, c.Metric, c.Cycle);
                continue;
            }
            if (stoppedBefore.Contains((c.Metric, c.Cycle))) continue;
            team ??= db.Teams.Local.FirstOrDefault(t => t.Id == row.TeamId)?.Name
                ?? await db.Teams.Where(t => t.Id == row.TeamId).Select(t => t.Name).FirstOrDefaultAsync(ct) ?? "";
            stops.Note(new StoppedCycle(c.TicketId, c.Metric, c.Cycle, team, row.Priority, row.Channel, c.CountedMs, c.State == CycleState.Met));
        }
    }

    /// <summary>Pure: sets <paramref name="row"/> and its cycles from the ticket and its report.</summary>
    public static void Apply(ReportTicket row, Ticket ticket, SlaReport report)
    {
        var outcome = TicketOutcome.Of(ticket, report);
        var holders = TicketHolders.Of(ticket);
        row.Number = ticket.Number;
        row.TeamId = ticket.TeamId;
        row.AssigneeId = ticket.AssigneeId;
        row.Priority = ticket.Priority;
        row.Channel = ticket.Channel;
        row.Status = ticket.Status;
        row.SlaPolicyName = ticket.SlaPolicyName;
        row.CreatedAt = ticket.CreatedAt;
        row.FirstResponseAt = outcome.FirstResponseAt;
        row.FirstResponderId = outcome.FirstResponderId;
        row.SolvedAt = outcome.SolvedAt;
        row.SolvedById = outcome.SolvedAt is { } solved ? holders.Last(h => h.From <= solved).Holder.AgentId : null;
        row.PublicReplies = outcome.PublicReplies;
        row.Reopened = outcome.Reopened;
        row.FirstContactResolution = outcome.FirstContactResolution;
        row.FirstResponseBusinessMs = Ms(outcome.FirstResponseBusiness);
        row.FirstResponseCalendarMs = Ms(outcome.FirstResponseCalendar);
        row.ResolutionBusinessMs = Ms(outcome.ResolutionBusiness);
        row.ResolutionCalendarMs = Ms(outcome.ResolutionCalendar);
        row.Breaches = report.Clocks.Count(c => c.State == CycleState.Breached);

        foreach (var cycle in report.Clocks)
        {
            var stored = row.Cycles.FirstOrDefault(c => c.Metric == cycle.Metric && c.Cycle == cycle.Cycle);
            if (stored is null)
            {
                stored = new ReportCycle { TicketId = ticket.Id, Metric = cycle.Metric, Cycle = cycle.Cycle };
                row.Cycles.Add(stored);
            }
            Apply(stored, cycle, ticket, holders);
        }
        // A cycle the report no longer has (its metric lost its target after a priority change) is no longer reported.
        row.Cycles.RemoveAll(c => !report.Clocks.Any(r => r.Metric == c.Metric && r.Cycle == c.Cycle));
    }

    private static void Apply(ReportCycle row, SlaCycle cycle, Ticket ticket, IReadOnlyList<HolderSpan> holders)
    {
        row.TicketNumber = ticket.Number;
        row.TeamId = ticket.TeamId;
        row.AssigneeId = ticket.AssigneeId;
        row.Priority = ticket.Priority;
        row.Channel = ticket.Channel;
        row.State = cycle.State;
        row.TargetMs = (long)cycle.Target.TotalMilliseconds;
        row.StartedAt = cycle.StartedAt;
        row.StoppedAt = cycle.StoppedAt;
        row.DueAt = cycle.DueAt;
        row.BreachedAt = cycle.BreachedAt;
        row.CountedMs = (long)cycle.Counted.TotalMilliseconds;
        row.CalendarMs = (long)TicketOutcome.Calendar(cycle).TotalMilliseconds;
        row.OutsideHoursMs = Sum(cycle, SegmentKind.OutsideHours);
        row.PausedMs = Sum(cycle, SegmentKind.Paused);
        row.StoppedMs = Sum(cycle, SegmentKind.Stopped);
        var shares = BreachAttribution.Of(cycle, holders);
        row.AttributedTeamId = shares.Count > 0 ? shares[0].Holder.TeamId : null;
        row.AttributedAgentId = shares.Count > 0 ? shares[0].Holder.AgentId : null;
        row.Explanation = shares.Count > 0 ? BreachExplanation.Of(cycle, shares).ToJson() : null;
    }

    private static long Sum(SlaCycle cycle, SegmentKind kind) =>
        (long)cycle.Segments.Where(s => s.Kind == kind).Aggregate(Duration.Zero, (sum, s) => sum + (s.To - s.From)).TotalMilliseconds;

    private static long? Ms(Duration? d) => d is { } v ? (long)v.TotalMilliseconds : null;
}
