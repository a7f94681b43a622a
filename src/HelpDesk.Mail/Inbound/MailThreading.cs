using System.Text.RegularExpressions;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace HelpDesk.Mail.Inbound;

/// <summary>Which rule threaded a message, and the ticket (loaded for change) it goes to.</summary>
public sealed record ThreadMatch(string Rule, Ticket? Ticket, int? PossiblyRelated);

/// <summary>
/// Threading, first rule that matches (email.md): our signed token in In-Reply-To/References; a stored Message-ID,
/// right to left; the subject tag, only from a participant; otherwise a new ticket. Never by subject text alone.
/// </summary>
public static partial class MailThreading
{
    public const string SignedToken = "signed_token", References = "references", SubjectTag = "subject_tag", NewTicket = "new_ticket";

    public static async Task<ThreadMatch> ResolveAsync(HelpDeskDbContext db, MailSigning signing, byte[] key, IReadOnlyList<string> ids,
        string subject, string sender, CancellationToken ct)
    {
        var rightToLeft = ids.Select(MessageIds.Normalise).OfType<string>().Reverse().ToList();
        foreach (var id in rightToLeft)
            if (signing.Verify(key, id) is { } number && await LoadAsync(db, number, ct) is { } ticket)
                return new ThreadMatch(SignedToken, ticket, null);

        foreach (var id in rightToLeft)
        {
            var ticketId = await db.Set<ArticleMail>().Where(m => m.MessageId == id).Select(m => (Guid?)m.TicketId).FirstOrDefaultAsync(ct)
                ?? await db.Set<OutboxMail>().Where(m => m.MessageId == id && m.TicketId != null).Select(m => m.TicketId).FirstOrDefaultAsync(ct);
            if (ticketId is null) continue;
            var ticket = await db.TicketsForChange().SingleOrDefaultAsync(t => t.Id == ticketId, ct);
            if (ticket is not null) return new ThreadMatch(References, ticket, null);
        }

        int? related = null;
        foreach (Match m in Tag().Matches(subject))
        {
            if (!int.TryParse(m.Groups[1].Value, out var number)) continue;
            var ticket = await LoadAsync(db, number, ct);
            if (ticket is null) continue;
            if (await IsParticipantAsync(db, ticket, sender, ct)) return new ThreadMatch(SubjectTag, ticket, null);
            related ??= number;
        }
        return new ThreadMatch(NewTicket, null, related);
    }

    /// <summary>References then In-Reply-To, in order (threading tries them right to left).</summary>
    public static IReadOnlyList<string> ThreadIds(MimeMessage message)
    {
        var ids = message.References.Select(r => r.Trim()).Where(r => r.Length > 0).ToList();
        if (message.InReplyTo is { Length: > 0 } irt && MessageIds.Normalise(irt) is { } n && !ids.Contains(n)) ids.Add(n);
        return ids;
    }

    /// <summary>The requester, a CC'd participant, or an agent.</summary>
    public static async Task<bool> IsParticipantAsync(HelpDeskDbContext db, Ticket ticket, string sender, CancellationToken ct)
    {
        if (sender.Length == 0) return false;
        if (ticket.Participants.Contains(sender)) return true;
        if (await db.Customers.AnyAsync(c => c.Id == ticket.RequesterId && c.Email == sender, ct)) return true;
        return await db.Agents.AnyAsync(a => a.Email == sender, ct);
    }

    private static async Task<Ticket?> LoadAsync(HelpDeskDbContext db, int number, CancellationToken ct) =>
        await db.TicketsForChange().SingleOrDefaultAsync(t => t.Number == number, ct);

    [GeneratedRegex(@"\[#(\d{1,9})\]", RegexOptions.CultureInvariant)]
    private static partial Regex Tag();
}
