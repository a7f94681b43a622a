using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Tickets.Views;

/// <summary>Deletes one of the caller's saved views; another agent's is not found.</summary>
public sealed record DeleteView(Guid Id) : ICommand<Unit>;

public sealed class DeleteViewHandler(HelpDeskDbContext db, Caller caller) : ICommandHandler<DeleteView, Unit>
{
    public async ValueTask<Unit> Handle(DeleteView command, CancellationToken ct)
    {
        var agent = await caller.RequireAgentAsync(ct);
        var deleted = await db.SavedViews.Where(v => v.Id == command.Id && v.AgentId == agent.Id).ExecuteDeleteAsync(ct);
        if (deleted == 0) throw new NotFoundException("This saved view was not found.");
        return Unit.Value;
    }
}
