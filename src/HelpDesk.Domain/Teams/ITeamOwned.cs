namespace HelpDesk.Domain.Teams;

/// <summary>Something held by one team: what an agent may see is decided by its <see cref="TeamId"/>.</summary>
public interface ITeamOwned
{
    Guid TeamId { get; }
}
