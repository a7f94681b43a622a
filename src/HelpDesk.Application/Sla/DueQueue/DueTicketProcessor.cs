using HelpDesk.Application.Common;
using HelpDesk.Application.Escalation;
using HelpDesk.Application.Notifications;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Escalation;
using HelpDesk.Domain.Notifications;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace HelpDesk.Application.Sla.DueQueue;

/// <summary>An SLA warning (percent below 100) or breach that fired.</summary>
public sealed record FiredAlert(int TicketNumber, SlaMetric Metric, int Cycle, int Percent, Instant DueAt, Instant FiredAt);

/// <summary>An escalation step that fired.</summary>
public sealed record FiredStep(int TicketNumber, string Rule, int Step, string Clock, int Cycle);

/// <summary>What one ticket's turn in the due-queue fired.</summary>
public sealed record DueTicketResult(IReadOnlyList<FiredAlert> Alerts, IReadOnlyList<FiredStep> Steps, IReadOnlyList<Notification> Notifications)
{
    public static readonly DueTicketResult Nothing = new([], [], []);
}

/// <summary>
/// One due ticket, one unit of work: fire every SLA alert that is due and has not fired (the unique key on SlaAlerts
/// makes a racing node's SaveChanges fail, so nothing fires twice), notify, run the matching escalation steps, settle the
/// ticket as every change does (<see cref="TicketChanges.SettleAsync"/>: SLA schedule, reporting rows), save once, and
/// only then publish.
/// </summary>
public sealed class DueTicketProcessor(
    HelpDeskDbContext db,
    SlaConfigurationCache slaConfiguration,
    TicketChanges changes,
    EscalationRuleCache ruleCache,
    EscalationTimers timers,
    EscalationActions actions,
    TicketNotifier notifier,
    TicketEventPublisher ticketEvents,
    NotificationPublisher notificationEvents,
    ILogger<DueTicketProcessor> logger)
{
    /// <summary>A ticket that stays due after its turn (which should not happen) is looked at again after this.</summary>
    public static readonly Duration Backoff = Duration.FromMinutes(1);

    public async Task<DueTicketResult> FireAsync(int number, Instant now, CancellationToken ct)
    {
        var ticket = await db.LoadForChangeAsync(number, ct);
        if (ticket.SlaNextAlertAt is not { } due || due > now) return DueTicketResult.Nothing; // another node or a command got there first

        var configuration = await slaConfiguration.GetAsync(db, ct);
        var report = TicketSla.Evaluate(ticket, configuration, now);
        var firedAlerts = await SlaScheduler.FiredAlertsAsync(db, ticket.Id, ct);
        var duePoints = report.AlertPoints()
            .Where(p => p.At <= now && !firedAlerts.Contains((p.Metric, p.Cycle, p.Percent)))
            .OrderBy(p => p.At).ThenBy(p => p.Percent).ThenBy(p => p.Metric)
            .ToList();

        var rules = await ruleCache.GetAsync(db, ct);
        var firedSteps = await timers.FiredAsync(ticket.Id, ct);
        var alerts = new List<FiredAlert>();
        var steps = new List<FiredStep>();
        var notifications = new List<Notification>();

        foreach (var point in duePoints)
        {
            db.SlaAlerts.Add(new Persistence.SlaAlert
            {
                Id = Guid.CreateVersion7(), TicketId = ticket.Id, TicketNumber = ticket.Number, Metric = point.Metric,
                Cycle = point.Cycle, Percent = point.Percent, DueAt = point.At, FiredAt = now,
            });
            alerts.Add(new FiredAlert(ticket.Number, point.Metric, point.Cycle, point.Percent, point.At, now));
            var trigger = new EscalationTrigger.SlaAlert(point.Metric, point.Cycle, point.Percent);
            var breach = point.Percent >= SlaAlertPoint.Breach;
            notifications.AddRange(await notifier.NotifyAsync(ticket, NotifyTarget.Assignee, null,
                breach ? NotificationKinds.SlaBreached : NotificationKinds.SlaWarning,
                $"Ticket #{ticket.Number}: {EscalationActions.Describe(trigger)} (due {point.At:uuuu-MM-dd'T'HH:mm:ss'Z'}).", now, ct));
            await RunRulesAsync(ticket, trigger, rules, firedSteps, now, steps, notifications, ct);
        }

        // Unassigned-for steps: after the SLA steps, which may have assigned the ticket.
        if (rules.Any(r => r.HasTimers) && UnassignedSpell.Of(ticket) is { } spell)
        {
            var elapsed = EscalationTimers.CalendarOf(ticket, configuration, now).BusinessTimeBetween(spell.Since, now);
            await RunRulesAsync(ticket, new EscalationTrigger.Unassigned(spell.Cycle, elapsed), rules, firedSteps, now, steps, notifications, ct);
        }

        await changes.SettleAsync(ticket, now, ct);
        if (ticket.SlaNextAlertAt is { } next && next <= now)
        {
            logger.LogWarning("Ticket #{Number} is still due at {Next} after its turn; looking again in {Backoff}", ticket.Number, next, Backoff);
            ticket.ScheduleSla(ticket.SlaDueAt, now + Backoff);
        }
        await db.SaveChangesAsync(ct);
        await ticketEvents.PublishAsync(ticket, ct);
        await notificationEvents.PublishAsync(notifications, ct);
        return new DueTicketResult(alerts, steps, notifications);
    }

    private async Task RunRulesAsync(Ticket ticket, EscalationTrigger trigger, IReadOnlyList<EscalationRule> rules, HashSet<FiringKey> fired,
        Instant now, List<FiredStep> steps, List<Notification> notifications, CancellationToken ct)
    {
        foreach (var rule in rules)
        {
            // Facts are read per rule: an earlier rule's actions (priority, team, tags) change what later filters see.
            var facts = await SlaScheduler.FactsAsync(db, ticket, ct);
            foreach (var firing in EscalationEvaluator.Evaluate(rule, facts, trigger, fired))
            {
                fired.Add(firing.Key);
                db.EscalationFirings.Add(new EscalationFiring
                {
                    Id = Guid.CreateVersion7(), RuleId = rule.Id, RuleName = rule.Name, Step = firing.Step.Number, TicketId = ticket.Id,
                    TicketNumber = ticket.Number, Clock = firing.Clock, Cycle = firing.Cycle, FiredAt = now,
                });
                steps.Add(new FiredStep(ticket.Number, rule.Name, firing.Step.Number, firing.Clock, firing.Cycle));
                await actions.ApplyAsync(ticket, firing, trigger, now, notifications, ct);
            }
        }
    }
}
