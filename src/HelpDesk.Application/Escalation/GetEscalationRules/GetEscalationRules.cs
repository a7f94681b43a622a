using HelpDesk.Application.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Escalation.GetEscalationRules;

/// <summary>Every escalation rule, active or not, in the order they are tried.</summary>
public sealed record GetEscalationRules : IQuery<IReadOnlyList<EscalationRuleDto>>;

public sealed class GetEscalationRulesHandler(HelpDeskDbContext db) : IQueryHandler<GetEscalationRules, IReadOnlyList<EscalationRuleDto>>
{
    public async ValueTask<IReadOnlyList<EscalationRuleDto>> Handle(GetEscalationRules query, CancellationToken ct)
    {
        // Filters and steps are JSON columns read back through the domain, so the projection happens in memory.
        var rules = await db.EscalationRules.AsNoTracking().ToListAsync(ct);
        return rules.OrderBy(r => r.Position).ThenBy(r => r.Name, StringComparer.Ordinal).Select(EscalationRuleDto.From).ToList();
    }
}
