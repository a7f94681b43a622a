using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Tickets;
using NodaTime;
using Mediator;

namespace HelpDesk.Application.Tickets.AddReply;

/// <summary>
/// An agent answers (visibility <c>public</c>) or writes an internal note (<c>internal</c>). With
/// <see cref="ExpectedVersion"/> a public reply is refused (409) when a newer public message arrived since that version.
/// <see cref="Cc"/> (public replies only) adds addresses as participants, as a customer's Cc does for mail: this reply and
/// every later one is copied to them (reply-all is the default).
/// </summary>
public sealed record AddReply(int Number, string? Body, string? Visibility, int? ExpectedVersion, IReadOnlyList<string>? Cc = null) : ICommand<ReplyResult>;

public sealed record ReplyResult(Guid ArticleId, TicketDto Ticket);

public sealed class AddReplyValidator : AbstractValidator<AddReply>
{
    public AddReplyValidator()
    {
        RuleFor(c => c.Body).NotEmpty().MaximumLength(1_000_000).NoControlCharacters(multiline: true);
        RuleFor(c => c.Visibility).Must(v => v is null or "public" or "internal")
            .WithMessage("'visibility' must be public or internal.");
        RuleFor(c => c.ExpectedVersion).GreaterThan(0).When(c => c.ExpectedVersion is not null);
        RuleFor(c => c.Cc).Must(cc => cc is null || cc.Count <= MaxCc).WithMessage($"'cc' holds at most {MaxCc} addresses.");
        RuleForEach(c => c.Cc).Must(EmailAddress.IsValid).WithMessage("'cc' holds e-mail addresses.");
        RuleFor(c => c.Cc).Must(cc => cc is not { Count: > 0 }).When(c => c.Visibility == "internal")
            .WithMessage("'cc' is for public replies; an internal note is never mailed.");
    }

    public const int MaxCc = 20;
}

public sealed class AddReplyHandler(TicketChanges changes, Caller caller, TicketReplies replies) : ICommandHandler<AddReply, ReplyResult>
{
    public async ValueTask<ReplyResult> Handle(AddReply command, CancellationToken ct)
    {
        var agent = await caller.RequireAgentAsync(ct);
        Article? article = null;
        var dto = await changes.ApplyAsync(command.Number, async c =>
            article = await replies.WriteAsync(c.Ticket, agent, command.Body!, command.Visibility, command.ExpectedVersion, c.Now, ct, command.Cc),
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
    /// <param name="cc">Addresses a public reply is copied to: they become participants first, so the outbox's Cc (every
    /// participant but the requester) carries them now and later.</param>
    public async Task<Article> WriteAsync(Ticket ticket, Agent agent, string body, string? visibility, int? expectedVersion, Instant now, CancellationToken ct,
        IReadOnlyList<string>? cc = null)
    {
        if (visibility != "internal")
            foreach (var address in cc ?? []) ticket.AddParticipant(address, Actor.ForAgent(agent.Id, agent.Name, agent.Email), now);
        var article = visibility == "internal"
            ? ticket.AddInternalNote(agent, body, null, now)
            : ticket.AddAgentReply(agent, body, null, expectedVersion, now);
        await outbox.EnqueueReplyAsync(ticket, article, ct);
        return article;
    }
}
