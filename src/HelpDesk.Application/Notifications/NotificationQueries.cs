using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Notifications;

namespace HelpDesk.Application.Notifications;

public static class NotificationQueries
{
    /// <summary>What an agent sees: notifications addressed to them, and those addressed to a whole team of theirs.</summary>
    public static IQueryable<Notification> ForAgent(this IQueryable<Notification> notifications, Agent agent)
    {
        var teams = agent.TeamIds.ToList();
        return notifications.Where(n => n.AgentId == agent.Id || (n.AgentId == null && n.TeamId != null && teams.Contains(n.TeamId.Value)));
    }
}
