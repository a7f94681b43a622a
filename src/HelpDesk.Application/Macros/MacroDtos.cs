using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Macros;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Macros;

/// <param name="Team">The team's name; null for a macro every agent may use.</param>
/// <param name="UsageCount">How many times it was applied (previews do not count).</param>
public sealed record MacroDto(Guid Id, string Name, string? Team, string? Body, string Visibility, string? Status, string? Priority,
    IReadOnlyList<string> AddTags, IReadOnlyList<string> RemoveTags, string? Assignee, int UsageCount, Instant CreatedAt, Instant UpdatedAt);

/// <summary>Who may see, use and manage which macros: everyone's global ones and their teams' (admins: all); leads and admins manage.</summary>
public static class MacroAccess
{
    /// <summary>The macros the caller may see and use.</summary>
    public static async Task<IQueryable<Macro>> VisibleAsync(HelpDeskDbContext db, Caller caller, CancellationToken ct)
    {
        var visible = await caller.VisibleTeamsAsync(ct);
        var macros = db.Macros.AsQueryable();
        return visible is null ? macros : macros.Where(m => m.TeamId == null || visible.Contains(m.TeamId.Value));
    }

    public static async Task<Macro> VisibleMacroAsync(HelpDeskDbContext db, Caller caller, Guid id, CancellationToken ct) =>
        await (await VisibleAsync(db, caller, ct)).SingleOrDefaultAsync(m => m.Id == id, ct)
        ?? throw new NotFoundException($"Macro {id} was not found.");

    /// <summary>A lead manages the global macros and those of their own teams; an admin every macro.</summary>
    public static void EnsureMayManage(Agent agent, Guid? teamId)
    {
        if (agent.Role < AgentRole.Lead) throw new ForbiddenException("Only leads and admins manage macros.");
        if (teamId is { } team && !agent.CanWorkOn(team)) throw new ForbiddenException("You manage the macros of your own teams only.");
    }

    public static async Task<IReadOnlyList<MacroDto>> ToDtosAsync(HelpDeskDbContext db, IQueryable<Macro> macros, CancellationToken ct)
    {
        var rows = await macros.AsNoTracking().OrderBy(m => m.Name)
            .Select(m => new { Macro = m, Uses = db.MacroUses.Count(u => u.MacroId == m.Id) }).ToListAsync(ct);
        var teamIds = rows.Where(r => r.Macro.TeamId != null).Select(r => r.Macro.TeamId!.Value).Distinct().ToList();
        var teams = await db.Teams.Where(t => teamIds.Contains(t.Id)).ToDictionaryAsync(t => t.Id, t => t.Name, ct);
        return rows.Select(r => ToDto(r.Macro, r.Macro.TeamId is { } t ? teams.GetValueOrDefault(t) : null, r.Uses)).ToList();
    }

    public static MacroDto ToDto(Macro m, string? team, int uses) => new(m.Id, m.Name, team, m.Body, Vocabulary.Name(m.Visibility),
        m.Status is { } s ? Vocabulary.Name(s) : null, m.Priority is { } p ? Vocabulary.Name(p) : null, m.AddTags.ToList(), m.RemoveTags.ToList(),
        m.Assignee, uses, m.CreatedAt, m.UpdatedAt);
}
