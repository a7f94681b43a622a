using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace HelpDesk.Mail.Inbound.Commands;

/// <summary>
/// What one prepared message does (email.md steps 4 and 5), in the batch's unit of work and not saved: our own message
/// coming back is dropped, a delivery report is recorded, an automatic reply that belongs to no open ticket is kept
/// unanswered; anything else is threaded and handed to its command: an agent's note or a customer's message on the
/// open ticket it threads to (<see cref="AppendMailToTicket"/>), or a new ticket (<see cref="CreateTicketFromMail"/>).
/// Commands of the application, not mediator requests: they run inside the batch's transaction, one savepoint a message
/// (ADR 0008).
/// </summary>
public sealed class ApplyInboundMail(HelpDeskDbContext db, IClock clock, MailSigning signing, CreateTicketFromMail create, AppendMailToTicket append,
    RecordDeliveryReport deliveryReport, MailRecords records, ILogger<ApplyInboundMail> logger)
{
    public async Task<(MailOutcome Outcome, Ticket? Ticket)> ApplyAsync(InboundMail row, PreparedMail prepared, byte[] key, CancellationToken ct)
    {
        var message = prepared.Message!;
        var cls = prepared.Class;
        var now = clock.GetCurrentInstant();
        row.Attempts++;

        if (cls == MailClass.OwnLoop)
        {
            logger.LogInformation("Inbound mail {Id} is our own message coming back; dropped", row.Id);
            return (records.Finish(row, MailOutcome.DroppedLoop, null, null, "our own message came back (mail loop)"), null);
        }

        var from = message.From.Mailboxes.FirstOrDefault(m => EmailAddress.IsValid(m.Address))
            ?? message.Sender ?? message.From.Mailboxes.FirstOrDefault();
        if (cls == MailClass.Bounce) return await deliveryReport.ApplyAsync(row, prepared, key, now, ct);
        if (from is null || !EmailAddress.IsValid(from.Address))
            // The admin's fix of a quarantined message (docs/email.md, "Quarantine triage"); the raw bytes stay as they came.
            from = row.SenderFix is { } fix ? new MimeKit.MailboxAddress(from?.Name, fix)
                : throw new UnusableMail(QuarantineReason.NoSender, "the message has no usable From address");

        var sender = EmailAddress.Normalise(from.Address);
        var thread = await MailThreading.ResolveAsync(db, signing, key, MailThreading.ThreadIds(message), message.Subject ?? "", sender, ct);
        var target = thread.Ticket;
        if (cls == MailClass.AutoReply && (target is null || target.IsClosed))
            return (records.Finish(row, MailOutcome.AutoReply, null, null,
                target is null ? "automatic reply that belongs to no ticket; kept, not answered" : $"automatic reply to closed ticket #{target.Number}; kept, not answered"), null);

        if (cls != MailClass.AutoReply && target is { IsClosed: false } && await AgentAsync(sender, ct) is { } agent)
            return await append.AgentNoteAsync(row, prepared, thread, target, agent, now, ct);

        var requester = new Requester(sender, from.Name);
        if (target is { IsClosed: false })
            return await append.CustomerMessageAsync(row, prepared, thread, target, requester, now, ct);
        var subject = string.IsNullOrWhiteSpace(message.Subject) ? "(no subject)" : message.Subject.Trim();
        return await create.ApplyAsync(row, prepared, thread, requester, subject, now, ct);
    }

    // Active agents by address, read once per batch (a small table).
    private Dictionary<string, Agent>? _agents;

    private async Task<Agent?> AgentAsync(string address, CancellationToken ct)
    {
        _agents ??= await db.Agents.AsNoTracking().Where(a => a.IsActive).ToDictionaryAsync(a => a.Email, ct);
        return _agents.GetValueOrDefault(address);
    }
}
