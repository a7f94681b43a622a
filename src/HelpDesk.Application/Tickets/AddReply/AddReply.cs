using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Tickets;
using NodaTime;
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

public sealed class AddReplyHandler(TicketChanges changes, Caller caller, TicketReplies replies) : ICommandHandler<AddReply, ReplyResult>
{
    public async ValueTask<ReplyResult> Handle(AddReply command, CancellationToken ct)
    {
        var agent = await caller.RequireAgentAsync(ct);
        Article? article = null;
        var dto = await changes.ApplyAsync(command.Number, async c =>
            article = await replies.WriteAsync(c.Ticket, agent, command.Body!, command.Visibility, command.ExpectedVersion, c.Now, ct),
            ct, dto => new ReplyResult(article!.Id, dto));
        return new ReplyResult(article!.Id, dto);
    }
}

/// <summary>
/// The one way an agent's words reach a ticket: a public reply (through the stale-reply guard) or an internal note by
/// the aggregate, and the reply's mail in the same unit of work, so both are committed or neither. A reply by hand, the
/// first reply of a ticket opened in the console and a macro share it.
/// </summary>
public sealed class TicketReplies(MailOutbox outbox)
{
    /// <param name="visibility"><c>internal</c> for a note; anything else is a public reply (validators refuse other words).</param>
    public async Task<Article> WriteAsync(Ticket ticket, Agent agent, string body, string? visibility, int? expectedVersion, Instant now, CancellationToken ct)
    {
        var article = visibility == "internal"
            ? ticket.AddInternalNote(agent, body, null, now)
            : ticket.AddAgentReply(agent, body, null, expectedVersion, now);
        await outbox.EnqueueReplyAsync(ticket, article, ct);
        return article;
    }
}
