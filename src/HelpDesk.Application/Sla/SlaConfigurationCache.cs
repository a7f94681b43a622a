using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Sla;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Sla;

/// <summary>
/// Policy and calendar versions are append-only, so the loaded configuration stays valid until the number of versions
/// changes. Each use costs one small query; an edit on any node is seen by every node at its next use.
/// </summary>
public sealed class SlaConfigurationCache
{
    private readonly Lock _gate = new();
    private (int Policies, int Calendars, SlaConfiguration Configuration)? _cached;

    public async Task<SlaConfiguration> GetAsync(HelpDeskDbContext db, CancellationToken ct)
    {
        var policies = await db.SlaPolicyVersions.CountAsync(ct);
        var calendars = await db.CalendarVersions.CountAsync(ct);
        lock (_gate)
        {
            if (_cached is { } c && c.Policies == policies && c.Calendars == calendars) return c.Configuration;
        }
        var configuration = new SlaConfiguration(
            await db.SlaPolicyVersions.AsNoTracking().ToListAsync(ct),
            await db.CalendarVersions.AsNoTracking().ToListAsync(ct));
        lock (_gate)
        {
            _cached = (policies, calendars, configuration);
        }
        return configuration;
    }
}
