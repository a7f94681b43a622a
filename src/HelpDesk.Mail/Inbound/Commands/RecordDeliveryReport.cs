using System.Text;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Mail.Inbound.Commands;

/// <summary>
/// A delivery report (bounce): permanently failing recipients are not written to for a week, and the report is added to
/// the ticket of the message that bounced, when it can be found, as a change of that ticket. Runs in the batch's unit of work.
/// </summary>
public sealed class RecordDeliveryReport(HelpDeskDbContext db, MailSigning signing, TicketChanges changes, MailRecords records)
{
    public static readonly Duration Undeliverable = Duration.FromDays(7);

    public async Task<(MailOutcome Outcome, Ticket? Ticket)> ApplyAsync(InboundMail row, PreparedMail mail, byte[] key, Instant now, CancellationToken ct)
    {
        var message = mail.Message!;
        var (originalId, statuses) = BounceReport.Read(message);
        var ids = MailThreading.ThreadIds(message).ToList();
        if (originalId is not null) ids.Add(originalId);
        var thread = await MailThreading.ResolveAsync(db, signing, key, ids, "", "", ct);
        foreach (var s in statuses.Where(s => s.Permanent && EmailAddress.IsValid(s.Recipient)))
        {
            var address = EmailAddress.Normalise(s.Recipient);
            var until = now + Undeliverable;
            var existing = await db.Set<UndeliverableAddress>().SingleOrDefaultAsync(u => u.Address == address, ct);
            if (existing is null) db.Add(new UndeliverableAddress { Address = address, Until = until, Reason = $"bounce {s.Status}" });
            else { existing.Until = until; existing.Reason = $"bounce {s.Status}"; }
        }
        if (thread.Ticket is not { } ticket)
            return (records.Finish(row, MailOutcome.Bounce, null, null, "delivery report for a message we cannot find"), null);
        var summary = new StringBuilder("Delivery report: ");
        summary.Append(statuses.Count == 0 ? "no status given" : string.Join("; ", statuses.Select(s => $"{s.Recipient} {s.Status} ({(s.Permanent ? "permanent failure" : "temporary")})")));
        summary.Append("\n\n").Append(message.TextBody ?? "");
        var article = ticket.AddBounce(summary.ToString(), now);
        db.Add(new ArticleMail { ArticleId = article.Id, TicketId = ticket.Id, InboundMailId = row.Id, MessageId = row.MessageId, ThreadedBy = thread.Rule, Classification = "bounce" });
        await changes.SettleAsync(ticket, now, ct);
        return (records.Finish(row, MailOutcome.Bounce, ticket.Number, article.Id, thread.Rule), ticket);
    }
}
