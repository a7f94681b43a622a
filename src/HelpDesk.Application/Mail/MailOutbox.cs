using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Application.Mail;

/// <summary>
/// Writes outgoing mail into the outbox in the caller's unit of work, so the mail exists if and only if the article
/// (or notification) it belongs to was committed. The SMTP sender picks the rows up after commit.
/// </summary>
public sealed class MailOutbox(HelpDeskDbContext db, IClock clock, MailSigning signing, IOptions<MailOptions> options, StoredMailboxAddresses storedMailboxes)
{
    public static readonly string[] NeverAutoAnswerLocalParts =
        ["noreply", "no-reply", "no_reply", "donotreply", "do-not-reply", "mailer-daemon", "postmaster", "bounce", "bounces"];

    /// <summary>
    /// An agent's public reply goes to the requester (the Reply-To of their latest mail when they gave one) with the
    /// other participants in Cc. Every ticket's requester has an address, so every public reply is mailed.
    /// </summary>
    public async Task<OutboxMail?> EnqueueReplyAsync(Ticket ticket, Article article, CancellationToken ct)
    {
        if (!article.IsPublicAgentReply) return null;
        var requester = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == ticket.RequesterId, ct);
        var replyTo = await (from m in db.Set<ArticleMail>().AsNoTracking()
                             join a in db.Articles.AsNoTracking() on m.ArticleId equals a.Id
                             where m.TicketId == ticket.Id && m.ReplyTo != null && m.Classification == "normal" && a.AuthorId == requester.Id
                             orderby a.CreatedAt descending
                             select m.ReplyTo).FirstOrDefaultAsync(ct);
        var to = EmailAddress.IsValid(replyTo) ? EmailAddress.Normalise(replyTo!) : requester.Email;
        var cc = ticket.Participants.Where(p => p != to && p != requester.Email && !IsOurAddress(p)).ToList();
        return await EnqueueAsync("reply", ticket, article.Id, to, cc, ReplySubject(ticket), article.BodyText, automatic: false, ct);
    }

    /// <summary>The acknowledgement of a new ticket, unless the recipient must not get automatic mail.</summary>
    public async Task<OutboxMail?> EnqueueAcknowledgementAsync(Ticket ticket, string recipient, CancellationToken ct)
    {
        if (!await MayAutoAnswerAsync(recipient, ct)) return null;
        var body = $"""
            Thank you for your message. We have opened ticket #{ticket.Number} for it and will answer as soon as we can.
            Please keep [#{ticket.Number}] in the subject when you write about this request.

            Subject: {ticket.Subject}
            """;
        return await EnqueueAsync("acknowledgement", ticket, null, EmailAddress.Normalise(recipient), [], ReplySubject(ticket), body, automatic: true, ct);
    }

    /// <summary>
    /// The satisfaction survey of a solved ticket, as automatic mail with one link per rating
    /// (<paramref name="surveyUrl"/> plus <c>?rating=N</c>); null when the recipient must not get automatic mail.
    /// </summary>
    public async Task<OutboxMail?> EnqueueSurveyAsync(Ticket ticket, string recipient, string surveyUrl, Instant expiresAt, CancellationToken ct)
    {
        if (!await MayAutoAnswerAsync(recipient, ct)) return null;
        string Line(int rating, string meaning) => $"  {rating} - {meaning}: {surveyUrl}?rating={rating}";
        var body = $"""
            Your ticket #{ticket.Number} has been solved. How satisfied are you with our help?
            One click records your answer:

            {Line(5, "very satisfied")}
            {Line(4, "satisfied")}
            {Line(3, "neither satisfied nor dissatisfied")}
            {Line(2, "dissatisfied")}
            {Line(1, "very dissatisfied")}

            You can change your answer or add a comment until {expiresAt.InUtc().Date:uuuu-MM-dd}.
            If the problem is not solved, just reply to this mail and the ticket opens again.

            Subject: {ticket.Subject}
            """;
        return await EnqueueAsync("survey", ticket, null, EmailAddress.Normalise(recipient), [], $"How did we do? [#{ticket.Number}] {ticket.Subject}",
            body, automatic: true, ct);
    }

    /// <summary>A notification for an agent (escalation rules), as automatic mail.</summary>
    public async Task<OutboxMail?> EnqueueNotificationAsync(string agentEmail, int? ticketNumber, string message, CancellationToken ct)
    {
        if (!await MayAutoAnswerAsync(agentEmail, ct)) return null;
        var ticket = ticketNumber is { } n ? await db.Tickets.AsNoTracking().SingleOrDefaultAsync(t => t.Number == n, ct) : null;
        var subject = ticket is null ? "HelpDesk notification" : $"{message} [#{ticket.Number}]";
        var body = ticket is null ? message : $"{message}\n\nTicket #{ticket.Number}: {ticket.Subject}\n{Link(ticket.Number)}";
        return await EnqueueAsync("notification", ticket, null, EmailAddress.Normalise(agentEmail), [], subject, body, automatic: true, ct);
    }

    /// <summary>
    /// A mail to an agent with a link to set their password (an invitation or a reset), as personal mail: an admin asked for
    /// it, so the automatic-mail limits do not hold it back.
    /// </summary>
    public Task<OutboxMail> EnqueueAccountMailAsync(string agentEmail, string subject, string body, CancellationToken ct) =>
        EnqueueAsync("account", null, null, EmailAddress.Normalise(agentEmail), [], subject, body, automatic: false, ct);

    /// <summary>
    /// Automatic mail never goes to our own addresses, to noreply/mailer-daemon/postmaster, to an address a permanent
    /// bounce marked undeliverable, nor more than <see cref="MailOptions.AutoAnswersPerHour"/> times an hour to one address.
    /// (Auto-replies, bounces and list mail are never answered at all: the ingestion does not ask.)
    /// </summary>
    public async Task<bool> MayAutoAnswerAsync(string recipient, CancellationToken ct)
    {
        if (!EmailAddress.IsValid(recipient)) return false;
        var address = EmailAddress.Normalise(recipient);
        if (IsOurAddress(address)) return false;
        var local = address[..address.IndexOf('@')];
        if (NeverAutoAnswerLocalParts.Any(p => local == p || local.StartsWith(p + "+", StringComparison.Ordinal))) return false;
        var now = clock.GetCurrentInstant();
        if (await db.Set<UndeliverableAddress>().AnyAsync(u => u.Address == address && u.Until > now, ct)) return false;
        var since = now - Duration.FromHours(1);
        var recent = await db.Set<OutboxMail>().CountAsync(m => m.To == address && m.IsAutomatic && m.CreatedAt > since, ct)
            + db.ChangeTracker.Entries<OutboxMail>().Count(e => e.State == EntityState.Added && e.Entity.To == address && e.Entity.IsAutomatic);
        return recent < options.Value.AutoAnswersPerHour;
    }

    public bool IsOurAddress(string address)
    {
        var a = EmailAddress.Normalise(address);
        return a == EmailAddress.Normalise(options.Value.SystemAddress)
            || options.Value.Imap.Any(m => EmailAddress.Normalise(m.Username) == a)
            || storedMailboxes.Contains(a)
            || a.EndsWith("@" + options.Value.Domain, StringComparison.Ordinal) && a.StartsWith("hd.", StringComparison.Ordinal);
    }

    public static string ReplySubject(Ticket ticket)
    {
        var tag = $"[#{ticket.Number}]";
        var subject = ticket.Subject.Contains(tag, StringComparison.Ordinal) ? ticket.Subject : $"{ticket.Subject} {tag}";
        return subject.StartsWith("Re:", StringComparison.OrdinalIgnoreCase) ? subject : "Re: " + subject;
    }

    private string Link(int number) =>
        options.Value.PublicBaseUrl is { Length: > 0 } url ? $"{url.TrimEnd('/')}/tickets/{number}" : "";

    private async Task<OutboxMail> EnqueueAsync(string kind, Ticket? ticket, Guid? articleId, string to, IReadOnlyList<string> cc,
        string subject, string body, bool automatic, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var key = await signing.KeyAsync(db, ct);
        var id = Guid.CreateVersion7();
        var thread = ticket is null ? [] : await ThreadIdsAsync(ticket, ct);
        var mail = new OutboxMail
        {
            Id = id,
            Kind = kind,
            TicketId = ticket?.Id,
            TicketNumber = ticket?.Number,
            ArticleId = articleId,
            To = to,
            Cc = cc.Count == 0 ? null : string.Join(",", cc),
            Subject = subject,
            BodyText = body,
            MessageId = signing.MessageId(key, ticket?.Number ?? 0, id),
            InReplyTo = thread.LastOrDefault(),
            // First message and the newest ones: enough to thread in every client without unbounded headers.
            References = thread.Count == 0 ? null : string.Join(" ", thread.Count <= 10 ? thread : [thread[0], .. thread.TakeLast(9)]),
            IsAutomatic = automatic,
            State = OutboxState.Pending,
            NextAttemptAt = now,
            CreatedAt = now,
        };
        db.Set<OutboxMail>().Add(mail);
        return mail;
    }

    // Message-IDs of the ticket's mail so far, in arrival order: what came in and what went out.
    private async Task<List<string>> ThreadIdsAsync(Ticket ticket, CancellationToken ct)
    {
        // Mail of this same unit of work (the message that opened the ticket, not saved yet) comes last.
        var pending = db.ChangeTracker.Entries<ArticleMail>().Where(e => e.State == EntityState.Added && e.Entity.TicketId == ticket.Id)
            .Select(e => e.Entity.MessageId);
        // A ticket opened in this unit of work has no mail in the database yet.
        if (db.Entry(ticket).State == EntityState.Added) return pending.Distinct().ToList();
        var inbound = await (from m in db.Set<ArticleMail>().AsNoTracking()
                             join a in db.Articles.AsNoTracking() on m.ArticleId equals a.Id
                             where m.TicketId == ticket.Id && m.Classification != "bounce"
                             select new { m.MessageId, a.CreatedAt }).ToListAsync(ct);
        var outbound = await db.Set<OutboxMail>().AsNoTracking().Where(o => o.TicketId == ticket.Id && o.Kind != "notification")
            .Select(o => new { o.MessageId, o.CreatedAt }).ToListAsync(ct);
        return inbound.Concat(outbound).OrderBy(x => x.CreatedAt).Select(x => x.MessageId).Concat(pending).Distinct().ToList();
    }
}

/// <summary>Wakes a background loop of this node early (it also wakes by itself after its timeout); many notifies before a wait count once.</summary>
public class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0) try { _signal.Release(); } catch (SemaphoreFullException) { }
    }

    /// <summary>True when notified, false when the timeout passed.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}

/// <summary>Wakes the SMTP sender when a change that may have written outbox rows was committed on this node.</summary>
public sealed class OutboxSignal : WakeSignal, ITicketEventSubscriber
{
    public ValueTask OnCommittedAsync(IReadOnlyList<TicketEvent> events, CancellationToken ct)
    {
        if (events.Any(e => e is TicketEvent.ArticleAdded or TicketEvent.Created or TicketEvent.StatusChanged { To: TicketStatus.Solved })) Notify();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Wakes this node's mailbox fetchers and sender to read the mailboxes again after an admin changed one here (other nodes reload on their own).</summary>
public sealed class MailboxChanges : WakeSignal;

/// <summary>
/// The login addresses of the mailboxes stored in the database, kept by the mailbox reload (<c>MailboxDirectory</c>) so
/// <see cref="MailOutbox.IsOurAddress"/> knows them without a query. Configured mailboxes are read from the options.
/// </summary>
public sealed class StoredMailboxAddresses
{
    private volatile IReadOnlySet<string> _addresses = new HashSet<string>();

    public bool Contains(string normalised) => _addresses.Contains(normalised);

    public void Replace(IEnumerable<string> usernames) =>
        _addresses = usernames.Where(u => u.Contains('@')).Select(EmailAddress.Normalise).ToHashSet(StringComparer.Ordinal);
}
