using HelpDesk.Application.Common;
using HelpDesk.Application.Configuration.PutSlaPolicy;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Domain.Sla;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Configuration.PreviewSlaPolicy;

/// <summary>
/// The dry run of <see cref="PutSlaPolicy.PutSlaPolicy"/> with the same request: which open tickets would change policy,
/// cycle state or due instant, and by how much, if the version were saved now. Nothing is written.
/// </summary>
public sealed record PreviewSlaPolicy(string Name, PolicyBody? Body, string? IfMatch = null) : IQuery<SlaPreview>, IAdminOnly, ISlaPolicyWrite;

public sealed class PreviewSlaPolicyValidator(HelpDeskDbContext db) : SlaPolicyWriteValidator<PreviewSlaPolicy>(db);

public sealed class PreviewSlaPolicyHandler(HelpDeskDbContext db, IClock clock, SlaRecomputation recomputation)
    : IQueryHandler<PreviewSlaPolicy, SlaPreview>
{
    public async ValueTask<SlaPreview> Handle(PreviewSlaPolicy query, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var proposed = await PutSlaPolicyHandler.NextVersionAsync(db, query, now, ct);
        var policies = await db.SlaPolicyVersions.AsNoTracking().ToListAsync(ct);
        var calendars = await db.CalendarVersions.AsNoTracking().ToListAsync(ct);
        return await recomputation.PreviewAsync(new SlaConfiguration(policies, calendars),
            new SlaConfiguration(policies.Append(proposed), calendars), now, ct);
    }
}
