using HelpDesk.Application.Common;
using HelpDesk.Application.Configuration.PutCalendar;
using HelpDesk.Application.Configuration.PutSlaPolicy;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Sla;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Configuration.GetConfiguration;

/// <summary>
/// One version of a named calendar or SLA policy as the API shows it: <see cref="Body"/> is what a PUT of it would store
/// again, <see cref="Version"/> its entity tag (<see cref="EntityTags"/>). Leads and admins read them.
/// </summary>
public sealed record ConfigurationDto<TBody>(string Name, int Version, Instant EffectiveFrom, TBody Body);

/// <summary>Every calendar at its latest version, by name.</summary>
public sealed record GetCalendars : IQuery<IReadOnlyList<ConfigurationDto<CalendarBody>>>, ILeadOnly;

/// <summary>A calendar's latest version, or (<paramref name="History"/>) every version, newest first.</summary>
public sealed record GetCalendar(string Name, bool History = false) : IQuery<IReadOnlyList<ConfigurationDto<CalendarBody>>>, ILeadOnly;

/// <summary>Every SLA policy at its latest version, in the order they are tried.</summary>
public sealed record GetSlaPolicies : IQuery<IReadOnlyList<ConfigurationDto<PolicyBody>>>, ILeadOnly;

/// <summary>A policy's latest version, or (<paramref name="History"/>) every version, newest first.</summary>
public sealed record GetSlaPolicy(string Name, bool History = false) : IQuery<IReadOnlyList<ConfigurationDto<PolicyBody>>>, ILeadOnly;

public sealed class GetConfigurationHandler(HelpDeskDbContext db) :
    IQueryHandler<GetCalendars, IReadOnlyList<ConfigurationDto<CalendarBody>>>,
    IQueryHandler<GetCalendar, IReadOnlyList<ConfigurationDto<CalendarBody>>>,
    IQueryHandler<GetSlaPolicies, IReadOnlyList<ConfigurationDto<PolicyBody>>>,
    IQueryHandler<GetSlaPolicy, IReadOnlyList<ConfigurationDto<PolicyBody>>>
{
    // Calendars and terms are JSON columns read back through the domain, so the latest of each name is picked in memory.
    public async ValueTask<IReadOnlyList<ConfigurationDto<CalendarBody>>> Handle(GetCalendars query, CancellationToken ct) =>
        (await db.CalendarVersions.AsNoTracking().ToListAsync(ct))
            .GroupBy(c => c.Name).Select(g => g.MaxBy(c => c.Version)!).OrderBy(c => c.Name, StringComparer.Ordinal).Select(Dto).ToList();

    public async ValueTask<IReadOnlyList<ConfigurationDto<CalendarBody>>> Handle(GetCalendar query, CancellationToken ct)
    {
        var name = query.Name.ToLowerInvariant();
        var versions = db.CalendarVersions.AsNoTracking().Where(c => c.Name == name).OrderByDescending(c => c.Version);
        var found = await (query.History ? versions : versions.Take(1)).ToListAsync(ct);
        return found.Count == 0 ? throw new NotFoundException($"There is no calendar '{query.Name}'.") : found.Select(Dto).ToList();
    }

    public async ValueTask<IReadOnlyList<ConfigurationDto<PolicyBody>>> Handle(GetSlaPolicies query, CancellationToken ct) =>
        (await db.SlaPolicyVersions.AsNoTracking().ToListAsync(ct))
            .GroupBy(p => p.Name).Select(g => g.MaxBy(p => p.Version)!)
            .OrderBy(p => p.Position).ThenBy(p => p.Name, StringComparer.Ordinal).Select(Dto).ToList();

    public async ValueTask<IReadOnlyList<ConfigurationDto<PolicyBody>>> Handle(GetSlaPolicy query, CancellationToken ct)
    {
        var name = query.Name.ToLowerInvariant();
        var versions = db.SlaPolicyVersions.AsNoTracking().Where(p => p.Name == name).OrderByDescending(p => p.Version);
        var found = await (query.History ? versions : versions.Take(1)).ToListAsync(ct);
        return found.Count == 0 ? throw new NotFoundException($"There is no SLA policy '{query.Name}'.") : found.Select(Dto).ToList();
    }

    private static ConfigurationDto<CalendarBody> Dto(BusinessCalendarVersion c) => new(c.Name, c.Version, c.EffectiveFrom, CalendarBody.From(c.Calendar));

    private static ConfigurationDto<PolicyBody> Dto(SlaPolicyVersion p) => new(p.Name, p.Version, p.EffectiveFrom, PolicyBody.From(p));
}
