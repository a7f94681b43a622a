using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tickets.CreateTicket;

public sealed record RequesterInput(string? Email, string? Name, string? Organisation = null);

/// <summary>Opens a ticket for a customer. Without a team, the ticket goes to the default team (the first created).</summary>
public sealed record CreateTicket(string? Subject, string? Body, RequesterInput? Requester, string? Priority, string? Team, string Channel = "api")
    : ICommand<TicketDto>;

public sealed class CreateTicketValidator : AbstractValidator<CreateTicket>
{
    public CreateTicketValidator(HelpDeskDbContext db)
    {
        RuleFor(c => c.Subject).NotEmpty().StoredAs(db, (Ticket t) => t.Subject);
        RuleFor(c => c.Body).NotEmpty().MaximumLength(1_000_000).NoControlCharacters(multiline: true);
        RuleFor(c => c.Requester).NotNull();
        RuleFor(c => c.Requester!.Email).StoredAs(db, (Customer c) => c.Email).OverridePropertyName("requester.email").When(c => c.Requester is not null);
        RuleFor(c => c.Requester!.Name).StoredAs(db, (Customer c) => c.Name).OverridePropertyName("requester.name").When(c => c.Requester is not null);
        RuleFor(c => c.Requester!.Organisation).StoredAs(db, (Customer c) => c.Organisation)
            .OverridePropertyName("requester.organisation").When(c => c.Requester is not null);
        RuleFor(c => c.Team).StoredAs(db, (Domain.Teams.Team t) => t.Name);
        RuleFor(c => c.Requester!.Email).Must(EmailAddress.IsValid).WithMessage("'requester.email' must be an e-mail address.")
            .OverridePropertyName("requester.email").When(c => c.Requester is not null);
        RuleFor(c => c.Priority).Must(p => p is null || Vocabulary.TryPriority(p, out _))
            .WithMessage($"'priority' must be one of {Vocabulary.ListOf(Vocabulary.PriorityNames)}.");
    }
}

public sealed class CreateTicketHandler(HelpDeskDbContext db, IClock clock, Caller caller, TicketCreation creation, TicketEventPublisher publisher,
    IdempotentWrite idempotent)
    : ICommandHandler<CreateTicket, TicketDto>
{
    public async ValueTask<TicketDto> Handle(CreateTicket command, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var agent = await caller.AgentAsync(ct);
        var team = command.Team is { Length: > 0 } name
            ? await db.Teams.SingleOrDefaultAsync(t => t.Name == name.Trim().ToLower(), ct)
              ?? throw new ValidationException([new FluentValidation.Results.ValidationFailure("team", $"There is no team '{name}'.")])
            : await creation.DefaultTeamAsync(ct)
              ?? throw new DomainRuleViolation("team.none", "No team exists yet; create one first.");
        if (agent is not null && !agent.CanWorkOn(team.Id))
            throw new ForbiddenException($"You are not a member of team '{team.Name}'.");

        Task<(Ticket, TicketDto?)> OpenAsync() => db.InTransactionAsync(async ct =>
        {
            var ticket = await creation.OpenAsync(new NewTicket(command.Subject!,
                new Requester(command.Requester!.Email!, command.Requester.Name, command.Requester.Organisation), team.Id,
                command.Priority is null ? Domain.Tickets.Priority.Normal : Vocabulary.ParsePriority(command.Priority), command.Channel,
                _ => new TicketBody(command.Body!, null), agent is null ? Actor.System : Actor.ForAgent(agent.Id, agent.Name, agent.Email)), now, ct);
            await db.SaveChangesAsync(ct);
            if (!idempotent.IsPending) return (ticket, (TicketDto?)null);
            // The answer is committed with the ticket: a retry after a crash before the response gets it, not a second ticket.
            var answer = await db.ToDtoAsync(ticket, ct);
            idempotent.Record(db, answer, now);
            await db.SaveChangesAsync(ct);
            return (ticket, answer);
        }, ct);
        Ticket ticket;
        TicketDto? dto;
        try
        {
            (ticket, dto) = await OpenAsync();
        }
        catch (DbUpdateException ex) when (TicketCreation.IsNewRequesterRace(ex))
        {
            (ticket, dto) = await OpenAsync();
        }
        await publisher.PublishAsync(ticket, ct);
        return dto ?? await db.ToDtoAsync(ticket, ct);
    }
}
