using FluentValidation;
using HelpDesk.Application.Common;
using Mediator;

namespace HelpDesk.Application.Tickets.ChangeStatus;

public sealed record ChangeStatus(int Number, string? Status) : ICommand<TicketDto>;

public sealed class ChangeStatusValidator : AbstractValidator<ChangeStatus>
{
    public ChangeStatusValidator() =>
        RuleFor(c => c.Status).Must(s => Vocabulary.TryStatus(s, out _))
            .WithMessage($"'status' must be one of {Vocabulary.ListOf(Vocabulary.StatusNames)}.");
}

public sealed class ChangeStatusHandler(TicketChanges changes) : ICommandHandler<ChangeStatus, TicketDto>
{
    public async ValueTask<TicketDto> Handle(ChangeStatus command, CancellationToken ct) =>
        await changes.ApplyAsync(command.Number, c => c.Ticket.ChangeStatus(Vocabulary.ParseStatus(command.Status!), c.Actor, c.Now), ct);
}
