using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Tickets;
using MimeKit;
using NodaTime;

namespace HelpDesk.Mail.Inbound.Commands;

/// <summary>What every mail command writes besides the ticket: how the article came by mail, who was copied, the row's outcome.</summary>
public sealed class MailRecords(HelpDeskDbContext db, IClock clock, MailOutbox outbox)
{
    /// <summary>How the article came by mail (threading rule, classification, Reply-To, quote, notes) and its attachments.</summary>
    public void Add(InboundMail row, PreparedMail mail, ThreadMatch thread, Ticket ticket, Article article, ExtractedContent content, IReadOnlyList<string> notes)
    {
        var message = mail.Message!;
        db.Add(new ArticleMail
        {
            ArticleId = article.Id, TicketId = ticket.Id, InboundMailId = row.Id, MessageId = row.MessageId,
            ThreadedBy = thread.Rule, Classification = mail.Class switch { MailClass.AutoReply => "auto_reply", MailClass.List => "list", _ => "normal" },
            ReplyTo = message.ReplyTo.Mailboxes.FirstOrDefault()?.Address is { } rt && EmailAddress.IsValid(rt) ? EmailAddress.Normalise(rt) : null,
            QuoteStartsAt = content.QuoteStartsAt, HtmlWithRemoteImages = content.HtmlWithRemoteImages, RemoteImagesBlocked = content.RemoteImagesBlocked,
            PossiblyRelatedTo = thread.PossiblyRelated, Notes = notes.Count == 0 ? null : string.Join("\n", notes),
        });
        foreach (var a in content.Attachments)
            db.Add(new MailAttachment
            {
                Id = a.Id, ArticleId = article.Id, TicketId = ticket.Id, FileName = a.FileName, ContentType = a.ContentType, Size = a.Size,
                Sha256 = a.Sha256, ContentId = a.ContentId, Inline = a.Inline, Content = a.Content, RefusedReason = a.RefusedReason,
            });
    }

    /// <summary>Everyone in To and Cc but the sender and our own addresses becomes a participant of the ticket.</summary>
    public void AddParticipants(Ticket ticket, MimeMessage message, string sender, Actor by, Instant now)
    {
        var copied = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Select(m => m.Address).Where(EmailAddress.IsValid)
            .Select(EmailAddress.Normalise).Where(a => a != sender).Distinct();
        foreach (var cc in copied)
            if (!outbox.IsOurAddress(cc)) ticket.AddParticipant(cc, by, now);
    }

    /// <summary>The row is processed: its outcome, ticket, article and reason, which the mailgate reports.</summary>
    public MailOutcome Finish(InboundMail row, string outcome, int? ticket, Guid? article, string? reason)
    {
        row.State = InboundState.Processed;
        row.Outcome = outcome;
        row.TicketNumber = ticket;
        row.ArticleId = article;
        row.Reason = reason;
        row.ReasonCode = null;
        row.ProcessedAt = clock.GetCurrentInstant();
        return new MailOutcome(outcome, ticket, article, reason);
    }
}
