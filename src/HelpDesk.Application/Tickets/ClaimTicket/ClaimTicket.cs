using HelpDesk.Application.Common;
using Mediator;

namespace HelpDesk.Application.Tickets.ClaimTicket;

/// <summary>The calling agent takes an unassigned ticket. Of two concurrent claims exactly one wins; the other gets 409.</summary>
public sealed record ClaimTicket(int Number) : ICommand<TicketDto>;

public sealed class ClaimTicketHandler(TicketChanges changes, Caller caller) : ICommandHandler<ClaimTicket, TicketDto>
{
    public async ValueTask<TicketDto> Handle(ClaimTicket command, CancellationToken ct)
    {
        var agent = await caller.RequireAgentAsync(ct);
        return await changes.ApplyAsync(command.Number, c => c.Ticket.Claim(agent, c.Now), ct);
    }
}
