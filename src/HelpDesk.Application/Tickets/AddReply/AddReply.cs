using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Tickets;
using Mediator;

namespace HelpDesk.Application.Tickets.AddReply;

/// <summary>
/// An agent answers (visibility <c>public</c>) or writes an internal note (<c>internal</c>). With
/// <see cref="ExpectedVersion"/> a public reply is refused (409) when a newer public message arrived since that version.
/// </summary>
public sealed record AddReply(int Number, string? Body, string? Visibility, int? ExpectedVersion) : ICommand<ReplyResult>;

public sealed record ReplyResult(Guid ArticleId, TicketDto Ticket);

public sealed class AddReplyValidator : AbstractValidator<AddReply>
{
    public AddReplyValidator()
    {
        RuleFor(c => c.Body).NotEmpty().MaximumLength(1_000_000).NoControlCharacters(multiline: true);
        RuleFor(c => c.Visibility).Must(v => v is null or "public" or "internal")
            .WithMessage("'visibility' must be public or internal.");
        RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
    }
}

public sealed class AddReplyHandler(TicketChanges changes, Caller caller, MailOutbox outbox) : ICommandHandler<AddReply, ReplyResult>
{
    public async ValueTask<ReplyResult> Handle(AddReply command, CancellationToken ct)
    {
        var agent = await caller.RequireAgentAsync(ct);
        Article? article = null;
        var dto = await changes.ApplyAsync(command.Number, async c =>
        {
            article = command.Visibility == "internal"
                ? c.Ticket.AddInternalNote(agent, command.Body!, null, c.Now)
                : c.Ticket.AddAgentReply(agent, command.Body!, null, command.ExpectedVersion, c.Now);
            // The mail is written in the same unit of work as the article: both are committed or neither.
            await outbox.EnqueueReplyAsync(c.Ticket, article, ct);
        }, ct, dto => new ReplyResult(article!.Id, dto));
        return new ReplyResult(article!.Id, dto);
    }
}
