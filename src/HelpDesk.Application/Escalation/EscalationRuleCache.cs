using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Escalation;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Escalation;

/// <summary>
/// The active rules, in the order they are tried. Every edit bumps a rule's version, so (count, sum of versions) — the
/// stamp — changes with any edit. Edits on this node invalidate it at once; edits on another node are seen within a second.
/// </summary>
public sealed class EscalationRuleCache
{
    private readonly StampedCache<IReadOnlyList<EscalationRule>> _cache = new();

    public void Invalidate() => _cache.Invalidate();

    public Task<IReadOnlyList<EscalationRule>> GetAsync(HelpDeskDbContext db, CancellationToken ct) => _cache.GetAsync(
        async c =>
        {
            var count = await db.EscalationRules.CountAsync(c);
            var versions = count == 0 ? 0L : await db.EscalationRules.SumAsync(r => (long)r.Version, c);
            return $"{count}/{versions}";
        },
        async c =>
        {
            var rules = await db.EscalationRules.AsNoTracking().Where(r => r.IsActive).ToListAsync(c);
            return (IReadOnlyList<EscalationRule>)rules.OrderBy(r => r.Position).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        },
        ct);
}
