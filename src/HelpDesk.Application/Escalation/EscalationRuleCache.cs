using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Escalation;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Escalation;

/// <summary>
/// The active rules, in the order they are tried. Every edit bumps a rule's version, so (count, sum of versions) changes
/// with any edit on any node; checking it costs two small queries per use.
/// </summary>
public sealed class EscalationRuleCache
{
    private readonly Lock _gate = new();
    private (int Count, long Versions, IReadOnlyList<EscalationRule> Rules)? _cached;

    public async Task<IReadOnlyList<EscalationRule>> GetAsync(HelpDeskDbContext db, CancellationToken ct)
    {
        var count = await db.EscalationRules.CountAsync(ct);
        var versions = count == 0 ? 0L : await db.EscalationRules.SumAsync(r => (long)r.Version, ct);
        lock (_gate)
        {
            if (_cached is { } c && c.Count == count && c.Versions == versions) return c.Rules;
        }
        var rules = await db.EscalationRules.AsNoTracking().Where(r => r.IsActive).ToListAsync(ct);
        IReadOnlyList<EscalationRule> ordered = rules.OrderBy(r => r.Position).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        lock (_gate)
        {
            _cached = (count, versions, ordered);
        }
        return ordered;
    }
}
