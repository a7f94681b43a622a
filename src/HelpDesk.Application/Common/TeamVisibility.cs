using HelpDesk.Domain.Teams;

namespace HelpDesk.Application.Common;

public static class TeamVisibility
{
    /// <summary>
    /// The rows of these teams — usually the teams the caller may see (<see cref="Caller.VisibleTeamsAsync"/>); null means
    /// every team. One team is compared for equality, so an index led by TeamId is sought rather than probed with a list.
    /// </summary>
    public static IQueryable<T> VisibleTo<T>(this IQueryable<T> rows, IReadOnlyList<Guid>? teams) where T : class, ITeamOwned =>
        teams switch
        {
            null => rows,
            [var team] => rows.Where(r => r.TeamId == team),
            _ => rows.Where(r => teams.Contains(r.TeamId)),
        };
}
