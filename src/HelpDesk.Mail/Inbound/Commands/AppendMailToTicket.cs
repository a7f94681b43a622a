using HelpDesk.Application.Mail;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Mail.Inbound.Commands;

/// <summary>
/// A message that threads to an open ticket, as a change of that ticket on the path every change takes
/// (<see cref="TicketChanges.SettleAsync"/> after the aggregate's decision). Runs in the batch's unit of work, which saves
/// it under the message's savepoint and publishes after its commit.
/// </summary>
public sealed class AppendMailToTicket(TicketCreation creation, TicketChanges changes, MailRecords records)
{
    /// <summary>
    /// A customer's message, or an automatic reply (kept, counted as automatic by the SLA, not answered). The sender is
    /// found or recorded as a customer; the copied addresses of a real message become participants.
    /// </summary>
    public async Task<(MailOutcome Outcome, Ticket Ticket)> CustomerMessageAsync(InboundMail row, PreparedMail mail, ThreadMatch thread, Ticket ticket,
        Requester from, Instant now, CancellationToken ct)
    {
        var customer = await creation.RequesterAsync(from, ct);
        // The article is signed as this message was, whatever the customer record is called (docs/email.md, "Who wrote it").
        var actor = Actor.ForCustomer(customer.Id, customer.NameIn(from.Name), customer.Email);
        var automatic = mail.Class == MailClass.AutoReply;
        var content = mail.Content!.ForTicket(ticket.Number);
        var article = ticket.AddCustomerMessage(actor, content.Text, content.Html, isAutomatic: automatic, now);
        if (!automatic) records.AddParticipants(ticket, mail.Message!, from.Email, actor, now);
        records.Add(row, mail, thread, ticket, article, content, content.Notes);
        await changes.SettleAsync(ticket, now, ct);
        return (records.Finish(row, automatic ? MailOutcome.AutoReply : MailOutcome.Appended, ticket.Number, article.Id, thread.Rule), ticket);
    }

    /// <summary>
    /// An active agent writing into an open ticket (answering a notification from their mail client, a CC): their
    /// internal note. Never a customer message, which would reopen the ticket and restart the customer's clocks, and
    /// never a customer record for an agent. Not sent to the customer: such mail quotes internal notifications.
    /// </summary>
    public async Task<(MailOutcome Outcome, Ticket Ticket)> AgentNoteAsync(InboundMail row, PreparedMail mail, ThreadMatch thread, Ticket ticket,
        Agent agent, Instant now, CancellationToken ct)
    {
        var note = mail.Content!.ForTicket(ticket.Number);
        var article = ticket.AddInternalNote(agent, note.Text, note.Html, now);
        records.Add(row, mail, thread, ticket, article, note, [.. note.Notes, $"Mail from agent {agent.Email}: kept as an internal note, not sent to the customer."]);
        await changes.SettleAsync(ticket, now, ct);
        return (records.Finish(row, MailOutcome.Appended, ticket.Number, article.Id, thread.Rule), ticket);
    }
}
