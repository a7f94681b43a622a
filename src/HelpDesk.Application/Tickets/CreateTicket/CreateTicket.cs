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

/// <summary>An agent's answer written when the ticket is opened (a caller helped on the phone).</summary>
/// <param name="Visibility"><c>public</c> (default: mailed to the requester, stops the first-response clock) or <c>internal</c>.</param>
public sealed record FirstReplyInput(string? Body, string? Visibility = null);

/// <summary>
/// Opens a ticket for a customer: by the API, or in the console for a caller or a walk-in. Without a team, the ticket
/// goes to the default team (the first created). <see cref="Channel"/> says where it came from (<c>api</c> when not
/// named); <see cref="FirstReply"/> is written by the same path as a reply by hand, in the same unit of work.
/// </summary>
public sealed record CreateTicket(string? Subject, string? Body, RequesterInput? Requester, string? Priority, string? Team, string? Channel = null,
    FirstReplyInput? FirstReply = null)
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
        RuleFor(c => c.Channel).Must(ch => ch is null || Vocabulary.TryChannel(ch, out _))
            .WithMessage($"'channel' must be one of {Vocabulary.ListOf(Vocabulary.ChannelNames)}.");
        RuleFor(c => c.FirstReply!.Body).NotEmpty().MaximumLength(1_000_000).NoControlCharacters(multiline: true)
            .OverridePropertyName("firstReply.body").When(c => c.FirstReply is not null);
        RuleFor(c => c.FirstReply!.Visibility).Must(v => v is null or "public" or "internal")
            .WithMessage("'firstReply.visibility' must be public or internal.").OverridePropertyName("firstReply.visibility").When(c => c.FirstReply is not null);
    }
}

public sealed class CreateTicketHandler(HelpDeskDbContext db, IClock clock, Caller caller, TicketCreation creation, TicketEventPublisher publisher,
    IdempotentWrite idempotent, TicketChanges changes, AddReply.TicketReplies replies)
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
        if (command.FirstReply is not null && agent is null)
            throw new DomainRuleViolation("ticket.first_reply_needs_agent", "Only an agent can write a first reply.");

        Task<(Ticket, TicketDto?)> OpenAsync() => db.InTransactionAsync(async ct =>
        {
            var ticket = await creation.OpenAsync(new NewTicket(command.Subject!,
                new Requester(command.Requester!.Email!, command.Requester.Name, command.Requester.Organisation), team.Id,
                command.Priority is null ? Domain.Tickets.Priority.Normal : Vocabulary.ParsePriority(command.Priority),
                command.Channel is null ? "api" : Vocabulary.ParseChannel(command.Channel),
                _ => new TicketBody(command.Body!, null), agent is null ? Actor.System : Actor.ForAgent(agent.Id, agent.Name, agent.Email)), now, ct);
            await db.SaveChangesAsync(ct);
            if (command.FirstReply is { } first)
            {
                // After the first save, so the reply's mail finds the new requester; the same path and settling as a reply by hand.
                await replies.WriteAsync(ticket, agent!, first.Body!, first.Visibility, null, now, ct);
                await changes.SettleAsync(ticket, now, ct);
                await db.SaveChangesAsync(ct);
            }
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
