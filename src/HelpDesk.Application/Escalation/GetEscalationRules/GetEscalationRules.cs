using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Escalation.GetEscalationRules;

/// <summary>
/// The escalation rules the caller's teams are subject to, active or not, in the order they are tried: admins (and the
/// system) see every rule; others see rules without a team filter and rules naming one of their teams, never rules
/// that only other teams are subject to (their names, conditions and notified addresses stay with those teams).
/// </summary>
public sealed record GetEscalationRules : IQuery<IReadOnlyList<EscalationRuleDto>>;

public sealed class GetEscalationRulesHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<GetEscalationRules, IReadOnlyList<EscalationRuleDto>>
{
    public async ValueTask<IReadOnlyList<EscalationRuleDto>> Handle(GetEscalationRules query, CancellationToken ct)
    {
        var visible = await caller.VisibleTeamsAsync(ct);
        var myTeams = visible is null ? null : (await db.Teams.Where(t => visible.Contains(t.Id)).Select(t => t.Name).ToListAsync(ct))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        // Filters and steps are JSON columns read back through the domain, so the projection happens in memory.
        var rules = await db.EscalationRules.AsNoTracking().ToListAsync(ct);
        return rules.Where(r => myTeams is null || r.Filters.Teams.Count == 0 || r.Filters.Teams.Any(myTeams.Contains))
            .OrderBy(r => r.Position).ThenBy(r => r.Name, StringComparer.Ordinal).Select(EscalationRuleDto.From).ToList();
    }
}
