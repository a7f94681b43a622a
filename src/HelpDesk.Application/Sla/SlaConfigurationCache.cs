using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Sla;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Sla;

/// <summary>
/// Policy and calendar versions are append-only, so the loaded configuration stays valid until the number of versions
/// changes (the stamp). Edits on this node invalidate it at once; edits on another node are seen within a second.
/// </summary>
public sealed class SlaConfigurationCache
{
    private readonly StampedCache<SlaConfiguration> _cache = new();

    public void Invalidate() => _cache.Invalidate();

    public Task<SlaConfiguration> GetAsync(HelpDeskDbContext db, CancellationToken ct) => _cache.GetAsync(
        async c => $"{await db.SlaPolicyVersions.CountAsync(c)}/{await db.CalendarVersions.CountAsync(c)}",
        async c => new SlaConfiguration(
            await db.SlaPolicyVersions.AsNoTracking().ToListAsync(c),
            await db.CalendarVersions.AsNoTracking().ToListAsync(c)),
        ct);
}
