namespace HelpDesk.Domain.Agents;

/// <summary>What an agent may do: agents work tickets, leads also see their teams' reports, admins configure.</summary>
public enum AgentRole
{
    Agent = 0,
    Lead = 1,
    Admin = 2,
}
