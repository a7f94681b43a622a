using HelpDesk.Application.Tickets;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using HelpDesk.Application.Escalation;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla.DueQueue;
using HelpDesk.Application.Sla.Format;
using HelpDesk.Application.Sla.Simulation;
using HelpDesk.Domain.Escalation;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace HelpDesk.Application.Sla;

/// <summary>
/// After a policy or calendar edit, recomputes the running cycles of every ticket that is not solved or closed:
/// policy re-selection, due instants and next alerts. Stopped cycles keep their outcome (the engine guarantees it);
/// the version change is part of each ticket's ledger through the configuration history.
/// </summary>
/// <remarks>
/// Tens of thousands of open tickets must be done in seconds (see docs/benchmarks.md), so a batch is read by number range
/// (history only, no articles; untracked, never saved through the tracker), evaluated in parallel (the engine is pure), and only tickets whose derived
/// columns moved are written, by one UPDATE per ticket (batched into few round trips where the provider can) in one
/// transaction per batch. The UPDATE matches the
/// ticket's <see cref="Ticket.Version"/> and the next-alert instant it was computed from, so a ticket an agent or the
/// due-queue changed meanwhile is not overwritten with stale values; those tickets, and the few whose policy changes
/// (which appends history and bumps the version), go through the tracked path every handler uses.
/// </remarks>
public sealed class SlaRecomputation(HelpDeskDbContext db, SlaConfigurationCache cache, SlaScheduler scheduler, EscalationRuleCache rules,
    IDerivedSlaWrites writes, DueQueueSignal dueQueue, ILogger<SlaRecomputation> logger)
{
    private const int BatchSize = 5000;

    /// <returns>How many tickets were recomputed.</returns>
    public async Task<int> RecomputeOpenTicketsAsync(Instant now, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var configuration = await cache.GetAsync(db, ct);
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var timed = EscalationTimers.TimedRules(await rules.GetAsync(db, ct));
        var stats = new Stats();
        await foreach (var (batch, inputs, load) in BatchesAsync(timed.Count > 0, ct))
        {
            stats.Load += load;
            var watch = Stopwatch.StartNew();
            var outcomes = new Outcome[batch.Count];
            Parallel.For(0, batch.Count, new ParallelOptions { CancellationToken = ct }, i =>
                outcomes[i] = Evaluate(batch[i], configuration, teams, timed, inputs, now));
            stats.Evaluate += watch.Elapsed;

            watch.Restart();
            var changed = outcomes.Where(o => o.Kind == OutcomeKind.Derived).ToList();
            var redo = outcomes.Where(o => o.Kind == OutcomeKind.Policy).Select(o => o.Number).ToList();
            var conflicts = await writes.WriteAsync(changed.Select(o => new DerivedSlaColumns(o.Number, o.Version, o.ReadNextAlertAt, o.DueAt, o.NextAlertAt)).ToList(), ct);
            redo.AddRange(conflicts);
            if (redo.Count > 0) await RecomputeTrackedAsync(redo, configuration, teams, now, ct);
            stats.Write += watch.Elapsed;
            stats.Tickets += batch.Count;
            stats.Written += changed.Count - conflicts.Count;
            stats.Tracked += redo.Count;
            stats.Conflicts += conflicts.Count;
        }
        db.ChangeTracker.Clear();
        // Due instants may have moved earlier than what the due-queue is sleeping towards.
        if (stats.Written + stats.Tracked > 0) dueQueue.Wake();
        logger.LogInformation(
            "Recomputed {Tickets} open tickets in {Total} ms (load {Load} ms, evaluate {Evaluate} ms, write {Write} ms): " +
            "{Written} updated in bulk, {Tracked} through the tracked path ({Conflicts} changed meanwhile)",
            stats.Tickets, total.ElapsedMilliseconds, (long)stats.Load.TotalMilliseconds, (long)stats.Evaluate.TotalMilliseconds,
            (long)stats.Write.TotalMilliseconds, stats.Written, stats.Tracked, stats.Conflicts);
        return stats.Tickets;
    }

    /// <summary>
    /// The dry run of <see cref="RecomputeOpenTicketsAsync"/>: every open ticket read the same way, its SLA evaluated under
    /// <paramref name="current"/> and under <paramref name="proposed"/> (policy re-selection included) at <paramref name="now"/>,
    /// nothing written. Answers the tickets whose policy, cycle states or due instants would differ, in number order.
    /// </summary>
    public async Task<SlaPreview> PreviewAsync(SlaConfiguration current, SlaConfiguration proposed, Instant now, CancellationToken ct)
    {
        var teams = await db.Teams.AsNoTracking().ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        var examined = 0;
        var changes = new List<SlaPreviewTicket>();
        await foreach (var (batch, inputs, _) in BatchesAsync(withTimers: false, ct))
        {
            var compared = new SlaPreviewTicket?[batch.Count];
            Parallel.For(0, batch.Count, new ParallelOptions { CancellationToken = ct }, i =>
                compared[i] = Compare(batch[i], current, proposed, teams, inputs, now));
            examined += batch.Count;
            changes.AddRange(compared.OfType<SlaPreviewTicket>());
        }
        db.ChangeTracker.Clear();
        return new SlaPreview(examined, [.. changes.OrderBy(c => c.Number)]);
    }

    /// <summary>Pure: one ticket's SLA under both configurations; null when nothing a lead would see differs.</summary>
    private static SlaPreviewTicket? Compare(Ticket ticket, SlaConfiguration current, SlaConfiguration proposed,
        IReadOnlyDictionary<Guid, string> teams, Inputs inputs, Instant now)
    {
        var policyBefore = ticket.SlaPolicyName;
        var before = TicketSla.Evaluate(ticket, current, now);
        // The ticket is untracked and never saved: re-selection may append history to this copy only.
        SlaScheduler.ReselectPolicy(ticket, proposed, SlaScheduler.FactsOf(ticket, teams.GetValueOrDefault(ticket.TeamId, ""),
            inputs.Organisations.GetValueOrDefault(ticket.RequesterId)), now);
        var after = TicketSla.Evaluate(ticket, proposed, now);
        var clocks = new List<SlaPreviewClock>();
        foreach (var key in before.Clocks.Concat(after.Clocks).Select(c => (c.Metric, c.Cycle)).Distinct().Order())
        {
            var b = before.Clocks.FirstOrDefault(c => c.Metric == key.Metric && c.Cycle == key.Cycle);
            var a = after.Clocks.FirstOrDefault(c => c.Metric == key.Metric && c.Cycle == key.Cycle);
            if (b?.State == a?.State && b?.DueAt == a?.DueAt) continue;
            clocks.Add(new SlaPreviewClock(SlaReportJson.Name(key.Metric), key.Cycle, b is null ? null : SlaReportJson.Name(b.State),
                a is null ? null : SlaReportJson.Name(a.State), b?.DueAt, a?.DueAt,
                b?.DueAt is { } from && a?.DueAt is { } to ? IsoDuration.Format(to - from) : null));
        }
        return clocks.Count == 0 && policyBefore == ticket.SlaPolicyName
            ? null
            : new SlaPreviewTicket(ticket.Number, ticket.Subject, policyBefore, ticket.SlaPolicyName, before.NearestDueAt(), after.NearestDueAt(), clocks);
    }

    /// <summary>
    /// The open tickets in batches of <see cref="BatchSize"/>, untracked, each with its history and the inputs the
    /// evaluation needs, and how long reading the batch took.
    /// </summary>
    private async IAsyncEnumerable<(List<Ticket> Batch, Inputs Inputs, TimeSpan Load)> BatchesAsync(bool withTimers,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var history = db.Model.FindEntityType(typeof(Ticket))!.FindNavigation(nameof(Ticket.History))!.GetCollectionAccessor()!;
        var after = 0;
        while (true)
        {
            var watch = Stopwatch.StartNew();
            // A range of numbers, and history joined in by a query of its own: Include orders by the ticket's Id, which
            // makes SQLite walk the primary key through every ticket for each batch. Nothing here is saved through the
            // tracker, so nothing is tracked: tracking (snapshots, identity map, fix-up) was most of the load. The
            // history rows are put into their tickets' lists as EF's own materialisation does (the model's accessor).
            var from = after;
            var until = await db.Tickets.Where(t => t.Number > from).Open().OrderBy(t => t.Number).Select(t => (int?)t.Number)
                .Skip(BatchSize - 1).FirstOrDefaultAsync(ct) ?? int.MaxValue;
            var scope = db.Tickets.AsNoTracking().Where(t => t.Number > from && t.Number <= until).Open();
            db.ChangeTracker.Clear();
            var batch = await scope.ToListAsync(ct);
            if (batch.Count == 0) yield break;
            var byId = batch.ToDictionary(t => t.Id);
            await foreach (var row in scope.Join(db.TicketChanges.AsNoTracking(), t => t.Id, h => EF.Property<Guid>(h, "TicketId"),
                               (t, h) => new { TicketId = t.Id, Change = h }).AsAsyncEnumerable().WithCancellation(ct))
                history.Add(byId[row.TicketId], row.Change, forMaterialization: true);
            after = batch.Max(t => t.Number);
            var inputs = await InputsAsync(scope, withTimers, ct);
            yield return (batch, inputs, watch.Elapsed);
        }
    }

    /// <summary>
    /// Organisations, fired alerts and (with timers) fired escalation steps of the tickets in <paramref name="scope"/>,
    /// joined rather than filtered by a list of ids: thousands of ids make thousands of SQL parameters.
    /// </summary>
    private async Task<Inputs> InputsAsync(IQueryable<Ticket> scope, bool withTimers, CancellationToken ct)
    {
        var organisations = (await scope.Join(db.Customers.Where(c => c.Organisation != null), t => t.RequesterId, c => c.Id,
                (t, c) => new { c.Id, c.Organisation }).ToListAsync(ct))
            .DistinctBy(c => c.Id).ToDictionary(c => c.Id, c => c.Organisation);
        var alerts = (await scope.Join(db.SlaAlerts, t => t.Id, a => a.TicketId, (t, a) => new { a.TicketId, a.Metric, a.Cycle, a.Percent })
                .ToListAsync(ct))
            .ToLookup(a => a.TicketId, a => (a.Metric, a.Cycle, a.Percent));
        var steps = withTimers
            ? (await scope.Join(db.EscalationFirings, t => t.Id, f => f.TicketId, (t, f) => new { f.TicketId, f.RuleId, f.Step, f.Clock, f.Cycle })
                .ToListAsync(ct))
                .ToLookup(f => f.TicketId, f => new FiringKey(f.RuleId, f.Step, f.Clock, f.Cycle))
            : Enumerable.Empty<FiringKey>().ToLookup(_ => Guid.Empty);
        return new Inputs(organisations, alerts, steps);
    }

    /// <summary>Pure: what <see cref="SlaScheduler.RecomputeAsync"/> would do to this ticket (never saved through the tracker).</summary>
    private static Outcome Evaluate(Ticket ticket, SlaConfiguration configuration, IReadOnlyDictionary<Guid, string> teams,
        IReadOnlyList<EscalationRule> timed, Inputs inputs, Instant now)
    {
        var (version, dueAt, nextAlertAt, history) = (ticket.Version, ticket.SlaDueAt, ticket.SlaNextAlertAt, ticket.History.Count);
        var facts = SlaScheduler.FactsOf(ticket, teams.GetValueOrDefault(ticket.TeamId, ""), inputs.Organisations.GetValueOrDefault(ticket.RequesterId));
        SlaScheduler.ReselectPolicy(ticket, configuration, facts, now);
        if (ticket.History.Count != history) return new Outcome(OutcomeKind.Policy, ticket.Number, version, nextAlertAt, null, null);
        var report = TicketSla.Evaluate(ticket, configuration, now);
        var timerDue = EscalationTimers.NextDue(ticket, timed, facts, inputs.Steps[ticket.Id].ToHashSet(), configuration, now);
        SlaScheduler.Schedule(ticket, report, inputs.Alerts[ticket.Id].ToHashSet(), timerDue);
        return ticket.SlaDueAt == dueAt && ticket.SlaNextAlertAt == nextAlertAt
            ? new Outcome(OutcomeKind.Unchanged, ticket.Number, version, nextAlertAt, null, null)
            : new Outcome(OutcomeKind.Derived, ticket.Number, version, nextAlertAt, ticket.SlaDueAt, ticket.SlaNextAlertAt);
    }

    /// <summary>
    /// The tracked path (what every handler does): tickets whose policy changes or that changed meanwhile. A ticket that
    /// changes again while this runs makes SaveChanges fail; its own handler rescheduled it, so the set is read again.
    /// </summary>
    private async Task RecomputeTrackedAsync(IReadOnlyList<int> numbers, SlaConfiguration configuration, IReadOnlyDictionary<Guid, string> teams,
        Instant now, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var scope = db.Tickets.Where(t => numbers.Contains(t.Number)).Open();
            var tickets = await scope.Include(t => t.History).AsSplitQuery().ToListAsync(ct);
            var inputs = await InputsAsync(scope, withTimers: false, ct);
            foreach (var ticket in tickets)
            {
                var facts = SlaScheduler.FactsOf(ticket, teams.GetValueOrDefault(ticket.TeamId, ""), inputs.Organisations.GetValueOrDefault(ticket.RequesterId));
                await scheduler.RecomputeAsync(ticket, configuration, facts, inputs.Alerts[ticket.Id].ToHashSet(), now, ct);
            }
            try
            {
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                return;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 5)
            {
                // Changed again meanwhile; read the set afresh.
            }
        }
    }

    private enum OutcomeKind { Unchanged, Derived, Policy }

    private sealed record Outcome(OutcomeKind Kind, int Number, int Version, Instant? ReadNextAlertAt, Instant? DueAt, Instant? NextAlertAt);

    private sealed record Inputs(
        IReadOnlyDictionary<Guid, string?> Organisations,
        ILookup<Guid, (SlaMetric Metric, int Cycle, int Percent)> Alerts,
        ILookup<Guid, FiringKey> Steps);

    private sealed class Stats
    {
        public TimeSpan Load, Evaluate, Write;
        public int Tickets, Written, Tracked, Conflicts;
    }
}

/// <summary>What a configuration change would do to the open tickets (<see cref="SlaRecomputation.PreviewAsync"/>).</summary>
/// <param name="Examined">How many open tickets were evaluated.</param>
public sealed record SlaPreview(int Examined, IReadOnlyList<SlaPreviewTicket> Tickets);

/// <summary>One ticket that would change: its policy, nearest due instant, and each cycle whose state or due instant moves.</summary>
public sealed record SlaPreviewTicket(int Number, string Subject, string? PolicyBefore, string? PolicyAfter,
    Instant? DueBefore, Instant? DueAfter, IReadOnlyList<SlaPreviewClock> Clocks);

/// <summary>
/// A cycle before and after, in the words of the SLA report (null: no such cycle, or no due instant, on that side);
/// <see cref="Shift"/> is the due instant after minus before as an ISO-8601 duration (<c>-PT2H</c>: due two hours earlier).
/// </summary>
public sealed record SlaPreviewClock(string Metric, int Cycle, string? StateBefore, string? StateAfter,
    Instant? DueBefore, Instant? DueAfter, string? Shift);
