using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Mediator;

namespace HelpDesk.Application.Macros.DeleteMacro;

/// <summary>Deletes a macro and its usage count; what it did to tickets stays in their history. Leads and admins only.</summary>
public sealed record DeleteMacro(Guid Id) : ICommand, ILeadOnly;

public sealed class DeleteMacroHandler(HelpDeskDbContext db, Caller caller) : ICommandHandler<DeleteMacro>
{
    public async ValueTask<Unit> Handle(DeleteMacro command, CancellationToken ct)
    {
        var agent = await caller.RequireAgentAsync(ct);
        var macro = await MacroAccess.VisibleMacroAsync(db, caller, command.Id, ct);
        MacroAccess.EnsureMayManage(agent, macro.TeamId);
        db.Macros.Remove(macro);
        await db.SaveChangesAsync(ct);
        return Unit.Value;
    }
}
