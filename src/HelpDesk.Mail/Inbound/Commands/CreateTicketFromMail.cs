using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Mail.Inbound.Commands;

/// <summary>
/// A message that threads to no open ticket opens one, through the path every new ticket takes (<see cref="TicketCreation"/>),
/// in the mailbox's team, with the copied addresses as participants, the mail record, and the acknowledgement in the
/// outbox (unless the message asks for no automatic answer). Runs in the batch's unit of work; not saved.
/// </summary>
public sealed class CreateTicketFromMail(HelpDeskDbContext db, TicketCreation creation, MailOutbox outbox, MailRecords records, IOptions<MailOptions> options)
{
    public async Task<(MailOutcome Outcome, Ticket Ticket)> ApplyAsync(InboundMail row, PreparedMail mail, ThreadMatch thread, Requester from,
        string subject, Instant now, CancellationToken ct)
    {
        var message = mail.Message!;
        var closed = thread.Ticket; // a closed ticket this message follows up, or none
        ExtractedContent? content = null;
        var ticket = await creation.OpenAsync(
            new NewTicket(subject, from, await TeamForAsync(row.Mailbox, ct), Priority.Normal, "email", number =>
            {
                content = mail.Content!.ForTicket(number);
                return new TicketBody(content.Text, content.Html);
            }, Actor.System, closed?.Number, SignedByMessage: true),
            now, ct, async (ticket, customer) =>
            {
                records.AddParticipants(ticket, message, from.Email, Actor.ForCustomer(customer.Id, customer.NameIn(from.Name), customer.Email), now);
                var notes = content!.Notes.ToList();
                if (thread.PossiblyRelated is { } related)
                    notes.Add($"The subject names ticket #{related}, but the sender is not one of its participants: opened as a new ticket, possibly related.");
                if (closed is not null) notes.Add($"Follow-up of closed ticket #{closed.Number}.");
                records.Add(row, mail, thread, ticket, ticket.Articles[0], content, notes);
                if (mail.Class == MailClass.Normal && !MailClassifier.AsksNoAutoAnswer(message))
                    await outbox.EnqueueAcknowledgementAsync(ticket, from.Email, ct);
            });
        return (records.Finish(row, MailOutcome.Created, ticket.Number, ticket.Articles[0].Id, thread.Rule), ticket);
    }

    // The team a mailbox's new tickets go to, looked up once per batch.
    private readonly Dictionary<string, Guid> _teams = [];

    private async Task<Guid> TeamForAsync(string mailbox, CancellationToken ct)
    {
        if (_teams.TryGetValue(mailbox, out var known)) return known;
        var configured = options.Value.Imap.FirstOrDefault(m => m.Name == mailbox);
        var name = (configured is not null ? configured.Team
            : await db.Set<StoredMailbox>().Where(m => m.Name == mailbox).Select(m => m.Team).FirstOrDefaultAsync(ct))?.Trim().ToLowerInvariant();
        var team = name is { Length: > 0 }
            ? await db.Teams.SingleOrDefaultAsync(t => t.Name == name, ct)
            : await creation.DefaultTeamAsync(ct);
        return _teams[mailbox] = team?.Id
            ?? throw new DomainRuleViolation("team.none", name is null ? "No team exists yet to receive mail." : $"Mailbox '{mailbox}' names team '{name}', which does not exist.");
    }
}
