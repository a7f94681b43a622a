using FluentValidation;
using HelpDesk.Application.Common;
using Mediator;

namespace HelpDesk.Application.Tickets.TagTicket;

/// <summary>Adds and removes tags in one change.</summary>
public sealed record TagTicket(int Number, IReadOnlyList<string>? Add, IReadOnlyList<string>? Remove) : ICommand<TicketDto>;

public sealed class TagTicketValidator : AbstractValidator<TagTicket>
{
    public TagTicketValidator()
    {
        RuleFor(c => c).Must(c => (c.Add?.Count ?? 0) + (c.Remove?.Count ?? 0) > 0)
            .WithName("add").WithMessage("Give at least one tag to 'add' or 'remove'.");
        RuleForEach(c => c.Add).NotEmpty().MaximumLength(50).NoControlCharacters();
        RuleForEach(c => c.Remove).NotEmpty().MaximumLength(50).NoControlCharacters();
    }
}

public sealed class TagTicketHandler(TicketChanges changes) : ICommandHandler<TagTicket, TicketDto>
{
    public async ValueTask<TicketDto> Handle(TagTicket command, CancellationToken ct) =>
        await changes.ApplyAsync(command.Number, c =>
        {
            foreach (var tag in command.Remove ?? []) c.Ticket.RemoveTag(tag, c.Actor, c.Now);
            foreach (var tag in command.Add ?? []) c.Ticket.AddTag(tag, c.Actor, c.Now);
        }, ct);
}
