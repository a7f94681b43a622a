using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets;
using Mediator;

namespace HelpDesk.Application.Macros.GetMacros;

/// <summary>The macros the caller may use (global and their teams'; admins: all), by name; <see cref="Q"/> narrows by name, <see cref="Team"/> to one team's and the global ones.</summary>
public sealed record GetMacros(string? Q = null, string? Team = null) : IQuery<IReadOnlyList<MacroDto>>;

/// <summary>One macro the caller may use.</summary>
public sealed record GetMacro(Guid Id) : IQuery<MacroDto>;

public sealed class GetMacrosHandler(HelpDeskDbContext db, Caller caller) : IQueryHandler<GetMacros, IReadOnlyList<MacroDto>>, IQueryHandler<GetMacro, MacroDto>
{
    public async ValueTask<IReadOnlyList<MacroDto>> Handle(GetMacros query, CancellationToken ct)
    {
        var macros = await MacroAccess.VisibleAsync(db, caller, ct);
        if (query.Q is { Length: > 0 } q)
        {
            var text = q.Trim().ToLower();
            macros = macros.Where(m => m.Name.ToLower().Contains(text));
        }
        if (query.Team is { Length: > 0 } team)
        {
            var teamId = await db.TeamIdAsync(team, ct);
            macros = macros.Where(m => m.TeamId == null || m.TeamId == teamId);
        }
        return await MacroAccess.ToDtosAsync(db, macros, ct);
    }

    public async ValueTask<MacroDto> Handle(GetMacro query, CancellationToken ct)
    {
        var macro = await MacroAccess.VisibleMacroAsync(db, caller, query.Id, ct);
        return (await MacroAccess.ToDtosAsync(db, db.Macros.Where(m => m.Id == macro.Id), ct))[0];
    }
}
