using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Tickets.AssignTicket;

/// <summary>Assigns the ticket to the agent with this e-mail address; <c>null</c> unassigns it.</summary>
public sealed record AssignTicket(int Number, string? Agent) : ICommand<TicketDto>;

public sealed class AssignTicketValidator : AbstractValidator<AssignTicket>
{
    public AssignTicketValidator() =>
        RuleFor(c => c.Agent).Must(EmailAddress.IsValid).When(c => c.Agent is not null)
            .WithMessage("'agent' must be an agent's e-mail address (or null to unassign).");
}

public sealed class AssignTicketHandler(TicketChanges changes, HelpDeskDbContext db, Caller caller) : ICommandHandler<AssignTicket, TicketDto>
{
    public async ValueTask<TicketDto> Handle(AssignTicket command, CancellationToken ct)
    {
        var assignee = command.Agent is null ? null : await AgentNamedAsync(db, caller, command.Agent, "agent", ct);
        return await changes.ApplyAsync(command.Number, c =>
        {
            if (assignee is null) c.Ticket.Unassign(c.Actor, c.Now);
            else c.Ticket.Assign(assignee, c.Actor, c.Now);
        }, ct);
    }

    /// <summary>The agent with this address whom the caller may know (least visibility), or a 400 naming <paramref name="field"/>.</summary>
    public static async Task<Domain.Agents.Agent> AgentNamedAsync(HelpDeskDbContext db, Caller caller, string email, string field, CancellationToken ct) =>
        await caller.KnownOrNullAsync(await db.Agents.SingleOrDefaultAsync(a => a.Email == EmailAddress.Normalise(email), ct), ct)
        ?? throw new ValidationException([new FluentValidation.Results.ValidationFailure(field, $"There is no agent '{email}'.")]);
}
