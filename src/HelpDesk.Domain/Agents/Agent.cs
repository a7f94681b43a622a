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

    public bool IsMemberOf(Guid teamId) => _teamIds.Contains(teamId);

    /// <summary>Admins see every team; everyone else only their own.</summary>
    public bool CanWorkOn(Guid teamId) => Role == AgentRole.Admin || IsMemberOf(teamId);

    public void JoinTeam(Guid teamId)
    {
        if (!_teamIds.Contains(teamId)) _teamIds.Add(teamId);
    }
}
