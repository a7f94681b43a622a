using HelpDesk.Application.Sla.Format;
using HelpDesk.Application.Notifications;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Escalation;
using HelpDesk.Domain.Notifications;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Escalation;

/// <summary>
/// Carries out the actions of a fired step on a loaded ticket, in the caller's unit of work. Escalation runs unattended:
/// an action the ticket refuses (an agent who left, a team that was removed) becomes an internal note instead of
/// stopping the other actions or the alert.
/// </summary>
public sealed class EscalationActions(HelpDeskDbContext db, TicketNotifier notifier)
{
    public async Task ApplyAsync(Ticket ticket, StepFiring firing, EscalationTrigger trigger, Instant now, List<Notification> notifications, CancellationToken ct)
    {
        var reason = $"Escalation '{firing.Rule.Name}' step {firing.Step.Number} on ticket #{ticket.Number}: {Describe(trigger)}";
        foreach (var action in firing.Step.Actions)
        {
            if (ticket.IsClosed) return;
            try
            {
                switch (action)
                {
                    case EscalationAction.Notify n:
                        notifications.AddRange(await notifier.NotifyAsync(ticket, n.Target, n.AgentEmail, NotificationKinds.Escalation, reason, now, ct));
                        break;
                    case EscalationAction.Reassign { AgentEmail: { } email }:
                        await ReassignToAgentAsync(ticket, email, now, ct);
                        break;
                    case EscalationAction.Reassign { TeamName: { } team }:
                        await MoveToTeamAsync(ticket, team, now, ct);
                        break;
                    case EscalationAction.RaisePriority r:
                        var target = r.To ?? (ticket.Priority == Priority.Urgent ? Priority.Urgent : ticket.Priority - 1);
                        // Lower enum values are more urgent; escalation never lowers a priority.
                        if (target < ticket.Priority) ticket.ChangePriority(target, Actor.System, now);
                        break;
                    case EscalationAction.AddTag t:
                        ticket.AddTag(t.Tag, Actor.System, now);
                        break;
                    case EscalationAction.AddNote n:
                        ticket.AddSystemNote(n.Text, now);
                        break;
                }
            }
            catch (DomainRuleViolation ex)
            {
                ticket.AddSystemNote($"{reason}. Could not {Describe(action)}: {ex.Message}", now);
            }
        }
    }

    private async Task ReassignToAgentAsync(Ticket ticket, string email, Instant now, CancellationToken ct)
    {
        var agent = await db.Agents.SingleOrDefaultAsync(a => a.Email == email, ct)
            ?? throw new DomainRuleViolation("escalation.agent_unknown", $"there is no agent {email}.");
        if (!agent.IsMemberOf(ticket.TeamId))
        {
            if (agent.TeamIds.Count == 0) throw new DomainRuleViolation("escalation.agent_without_team", $"{email} is in no team.");
            await MoveAsync(ticket, agent.TeamIds[0], now, ct);
        }
        ticket.Assign(agent, Actor.System, now);
    }

    private async Task MoveToTeamAsync(Ticket ticket, string teamName, Instant now, CancellationToken ct)
    {
        var team = await db.Teams.SingleOrDefaultAsync(t => t.Name == teamName, ct)
            ?? throw new DomainRuleViolation("escalation.team_unknown", $"there is no team {teamName}.");
        await MoveAsync(ticket, team.Id, now, ct);
    }

    private async Task MoveAsync(Ticket ticket, Guid teamId, Instant now, CancellationToken ct)
    {
        var assignee = ticket.AssigneeId is { } id ? await db.Agents.SingleOrDefaultAsync(a => a.Id == id, ct) : null;
        ticket.MoveToTeam(teamId, _ => assignee?.IsMemberOf(teamId) == true, Actor.System, now);
    }

    public static string Describe(EscalationTrigger trigger) => trigger switch
    {
        EscalationTrigger.SlaAlert { Percent: >= SlaAlertPoint.Breach } a => $"{Words(a.Metric)} SLA breached",
        EscalationTrigger.SlaAlert a => $"{Words(a.Metric)} SLA at {a.Percent}%",
        EscalationTrigger.Unassigned u => $"unassigned for {IsoDuration.Format(u.Elapsed)} of business time",
        _ => "escalated",
    };

    public static string Words(SlaMetric metric) => metric switch
    {
        SlaMetric.FirstResponse => "first response",
        SlaMetric.NextReply => "next reply",
        _ => "resolution",
    };

    private static string Describe(EscalationAction action) => action switch
    {
        EscalationAction.Reassign { AgentEmail: { } e } => $"reassign to {e}",
        EscalationAction.Reassign r => $"move to team {r.TeamName}",
        EscalationAction.RaisePriority => "raise the priority",
        EscalationAction.AddTag t => $"add tag {t.Tag}",
        EscalationAction.AddNote => "add a note",
        _ => "notify",
    };
}
