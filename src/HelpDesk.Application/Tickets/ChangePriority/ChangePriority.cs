using FluentValidation;
using HelpDesk.Application.Common;
using Mediator;

namespace HelpDesk.Application.Tickets.ChangePriority;

public sealed record ChangePriority(int Number, string? Priority) : ICommand<TicketDto>;

public sealed class ChangePriorityValidator : AbstractValidator<ChangePriority>
{
    public ChangePriorityValidator() =>
        RuleFor(c => c.Priority).Must(p => Vocabulary.TryPriority(p, out _))
            .WithMessage($"'priority' must be one of {Vocabulary.ListOf(Vocabulary.PriorityNames)}.");
}

public sealed class ChangePriorityHandler(TicketChanges changes) : ICommandHandler<ChangePriority, TicketDto>
{
    public async ValueTask<TicketDto> Handle(ChangePriority command, CancellationToken ct) =>
        await changes.ApplyAsync(command.Number, c => c.Ticket.ChangePriority(Vocabulary.ParsePriority(command.Priority!), c.Actor, c.Now), ct);
}
