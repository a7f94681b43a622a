using HelpDesk.Domain.Common;

namespace HelpDesk.Domain.Agents;

/// <summary>A member of staff. Credentials (password hash, API tokens) are stored beside it, not in the domain.</summary>
public sealed class Agent
{
    private readonly List<Guid> _teamIds = [];

    private Agent() { Email = ""; Name = ""; }

    public Agent(Guid id, string email, string name, AgentRole role, IEnumerable<Guid> teamIds)
    {
        Id = id;
        Email = EmailAddress.Normalise(email);
        Name = name.Trim();
        Role = role;
        IsActive = true;
        _teamIds.AddRange(teamIds.Distinct());
    }

    public Guid Id { get; private set; }
    public string Email { get; private set; }
    public string Name { get; private set; }
    public AgentRole Role { get; private set; }
    public bool IsActive { get; private set; }
    public IReadOnlyList<Guid> TeamIds => _teamIds;
    /// <summary>Grows with every change through <see cref="Change"/> or <see cref="Deactivate"/>: the API's ETag, and a concurrency token.</summary>
    public int Version { get; private set; } = 1;

    public bool IsMemberOf(Guid teamId) => _teamIds.Contains(teamId);

    /// <summary>Admins see every team; everyone else only their own.</summary>
    public bool CanWorkOn(Guid teamId) => Role == AgentRole.Admin || IsMemberOf(teamId);

    public void JoinTeam(Guid teamId)
    {
        if (!_teamIds.Contains(teamId)) _teamIds.Add(teamId);
    }

    /// <summary>Renames the agent and sets their role and teams; refused for a deactivated agent.</summary>
    public void Change(string name, AgentRole role, IEnumerable<Guid> teamIds)
    {
        if (!IsActive) throw new DomainRuleViolation("agent.inactive", $"{Email} is deactivated.");
        var teams = teamIds.Distinct().ToList();
        if (Name == name.Trim() && Role == role && teams.Count == _teamIds.Count && teams.All(_teamIds.Contains)) return;
        Name = name.Trim();
        Role = role;
        _teamIds.Clear();
        _teamIds.AddRange(teams);
        Version++;
    }

    /// <summary>Ends the agent's access for good (their sessions and tokens stop counting at once); tickets are handed back by the caller.</summary>
    public void Deactivate()
    {
        if (!IsActive) throw new DomainRuleViolation("agent.inactive", $"{Email} is already deactivated.");
        IsActive = false;
        Version++;
    }
}
