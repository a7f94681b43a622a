using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using NodaTime;

namespace HelpDesk.Mail.Inbound;

/// <summary>What happened to one inbound message (the mailgate's JSON line).</summary>
public sealed record MailOutcome(string Outcome, int? Ticket, Guid? Article, string? Reason)
{
    public const string Created = "created", Appended = "appended", Duplicate = "duplicate", AutoReply = "auto_reply",
        Bounce = "bounce", DroppedLoop = "dropped_loop", Quarantined = "quarantined";
}

/// <summary>Test hook: called after the raw bytes are committed and before anything else (crash-safety tests throw here).</summary>
public interface IMailFaults
{
    void AfterStored(InboundMail stored);
}

/// <summary>
/// The inbound pipeline of email.md, for IMAP and the mailgate alike: store raw first, deduplicate by Message-ID per
/// mailbox, parse (bounded, timed), classify, thread, apply the domain effects and write the acknowledgement to the
/// outbox in one transaction. Anything that fails is quarantined with its error and never blocks later messages.
/// </summary>
public sealed partial class MailIngestor(HelpDeskDbContext db, IClock clock, MailSigning signing, MailOutbox outbox, SlaScheduler sla,
    TicketEventPublisher publisher, IOptions<MailOptions> options, ILogger<MailIngestor> logger, IEnumerable<IMailFaults> faults)
{
    public const string MailgateMailbox = "mailgate";

    public async Task<MailOutcome> IngestAsync(string mailbox, byte[] raw, string source, CancellationToken ct)
    {
        var (stored, duplicate) = await StoreAsync(mailbox, raw, source, ct);
        if (duplicate) return new MailOutcome(MailOutcome.Duplicate, stored.TicketNumber, stored.ArticleId, $"Message-ID {stored.MessageId} was already received");
        foreach (var f in faults) f.AfterStored(stored);
        return await ProcessAsync(stored.Id, ct);
    }

    /// <summary>
    /// Stores the exact bytes with their SHA-256 and normalised Message-ID in one transaction. A second arrival of a
    /// Message-ID is a duplicate, unless the first never finished processing (a crash): then it is resumed.
    /// </summary>
    public async Task<(InboundMail Stored, bool Duplicate)> StoreAsync(string mailbox, byte[] raw, string source, CancellationToken ct)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(raw));
        var messageId = ReadMessageId(raw) ?? $"{sha}@sha256.invalid";
        var existing = await db.Set<InboundMail>().AsNoTracking().SingleOrDefaultAsync(m => m.Mailbox == mailbox && m.MessageId == messageId, ct);
        if (existing is not null) return (existing, existing.State != InboundState.Stored);
        var row = new InboundMail
        {
            Id = Guid.CreateVersion7(), Mailbox = mailbox, MessageId = messageId, Sha256 = sha, Raw = raw, Size = raw.LongLength,
            Source = source, ReceivedAt = clock.GetCurrentInstant(), State = InboundState.Stored,
        };
        db.Add(row);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            existing = await db.Set<InboundMail>().AsNoTracking().SingleOrDefaultAsync(m => m.Mailbox == mailbox && m.MessageId == messageId, ct);
            if (existing is null) throw;
            return (existing, existing.State != InboundState.Stored);
        }
        db.Entry(row).State = EntityState.Detached;
        return (row, false);
    }

    /// <summary>Records a message too large to download (size gate): kept as quarantined metadata, never parsed.</summary>
    public async Task<MailOutcome> RecordOversizedAsync(string mailbox, string? messageId, long size, string source, CancellationToken ct)
    {
        var id = NormaliseMessageId(messageId) ?? $"oversized.{source}@size.invalid";
        if (await db.Set<InboundMail>().AnyAsync(m => m.Mailbox == mailbox && m.MessageId == id, ct))
            return new MailOutcome(MailOutcome.Duplicate, null, null, "already recorded");
        var reason = $"message of {size} bytes exceeds the limit of {options.Value.MaxMessageBytes} bytes; not downloaded";
        db.Add(new InboundMail
        {
            Id = Guid.CreateVersion7(), Mailbox = mailbox, MessageId = id, Sha256 = "", Raw = [], Size = size, Source = source,
            ReceivedAt = clock.GetCurrentInstant(), State = InboundState.Quarantined, Outcome = MailOutcome.Quarantined, Reason = reason,
        });
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        return new MailOutcome(MailOutcome.Quarantined, null, null, reason);
    }

    /// <summary>Processes a stored message (again). Never throws for a bad message: it is quarantined instead.</summary>
    public async Task<MailOutcome> ProcessAsync(Guid inboundId, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            db.ChangeTracker.Clear();
            var row = await db.Set<InboundMail>().SingleAsync(m => m.Id == inboundId, ct);
            try
            {
                return await ProcessRowAsync(row, ct);
            }
            catch (ConcurrencyConflict) when (attempt < 4)
            {
                // Someone changed the ticket at the same moment: start again from the raw bytes.
            }
            catch (DbUpdateConcurrencyException) when (attempt < 4)
            {
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                return await QuarantineAsync(inboundId, ex, ct);
            }
        }
    }

    /// <summary>Processes a stored or quarantined message again from its raw bytes (<c>helpdesk mail reprocess</c>).</summary>
    public async Task<MailOutcome> ReprocessAsync(Guid inboundId, CancellationToken ct)
    {
        var row = await db.Set<InboundMail>().SingleOrDefaultAsync(m => m.Id == inboundId, ct)
            ?? throw new NotFoundException($"There is no inbound mail {inboundId}.");
        if (row.State == InboundState.Processed)
            return new MailOutcome(MailOutcome.Duplicate, row.TicketNumber, row.ArticleId, "already processed");
        if (row.Raw.Length == 0) return new MailOutcome(MailOutcome.Quarantined, null, null, row.Reason ?? "no raw bytes were stored");
        return await ProcessAsync(inboundId, ct);
    }

    private async Task<MailOutcome> QuarantineAsync(Guid inboundId, Exception ex, CancellationToken ct)
    {
        db.ChangeTracker.Clear();
        var reason = $"{ex.GetType().Name}: {ex.Message}";
        if (reason.Length > 1900) reason = reason[..1900];
        var row = await db.Set<InboundMail>().SingleAsync(m => m.Id == inboundId, ct);
        row.State = InboundState.Quarantined;
        row.Outcome = MailOutcome.Quarantined;
        row.Reason = reason;
        row.ProcessedAt = clock.GetCurrentInstant();
        row.Attempts++;
        await db.SaveChangesAsync(ct);
        logger.LogWarning("Inbound mail {Id} ({Mailbox}) quarantined: {Reason}", inboundId, row.Mailbox, reason);
        return new MailOutcome(MailOutcome.Quarantined, null, null, reason);
    }

    private async Task<MailOutcome> ProcessRowAsync(InboundMail row, CancellationToken ct)
    {
        var o = options.Value;
        var key = await signing.KeyAsync(db, ct);
        var message = await ParseAsync(row.Raw, ct);
        var cls = MailClassifier.Classify(message, id => signing.Verify(key, id) is not null, o.SystemAddress);
        var now = clock.GetCurrentInstant();
        row.Attempts++;

        if (cls == MailClass.OwnLoop)
        {
            logger.LogInformation("Inbound mail {Id} is our own message coming back; dropped", row.Id);
            return await FinishAsync(row, MailOutcome.DroppedLoop, null, null, "our own message came back (mail loop)", null, ct);
        }

        var from = message.From.Mailboxes.FirstOrDefault(m => EmailAddress.IsValid(m.Address))
            ?? message.Sender ?? message.From.Mailboxes.FirstOrDefault();
        if (cls == MailClass.Bounce) return await BounceAsync(row, message, key, now, ct);
        if (from is null || !EmailAddress.IsValid(from.Address))
            throw new InvalidDataException("the message has no usable From address");

        var sender = EmailAddress.Normalise(from.Address);
        var thread = await MailThreading.ResolveAsync(db, signing, key, ThreadIds(message), message.Subject ?? "", sender, ct);
        var subject = string.IsNullOrWhiteSpace(message.Subject) ? "(no subject)" : message.Subject.Trim();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var customer = await db.Customers.SingleOrDefaultAsync(c => c.Email == sender, ct);
        if (customer is null)
        {
            customer = new Customer(Guid.CreateVersion7(), sender, from.Name);
            db.Customers.Add(customer);
        }
        else customer.LearnName(from.Name);
        var actor = Actor.ForCustomer(customer.Id, customer.Name, customer.Email);

        Ticket? existing = null;
        var number = 0;
        string outcome;
        var target = thread.Ticket;
        if (cls == MailClass.AutoReply)
        {
            if (target is null || target.IsClosed)
            {
                await tx.RollbackAsync(ct);
                db.ChangeTracker.Clear();
                row = await db.Set<InboundMail>().SingleAsync(m => m.Id == row.Id, ct);
                row.Attempts++;
                return await FinishAsync(row, MailOutcome.AutoReply, null, null,
                    target is null ? "automatic reply that belongs to no ticket; kept, not answered" : $"automatic reply to closed ticket #{target.Number}; kept, not answered", null, ct);
            }
            existing = target;
            outcome = MailOutcome.AutoReply;
        }
        else if (target is not null && !target.IsClosed)
        {
            existing = target;
            outcome = MailOutcome.Appended;
        }
        else
        {
            number = await TicketNumbers.NextAsync(db, ct);
            outcome = MailOutcome.Created;
        }

        var content = await ExtractAsync(message, existing?.Number ?? number, ct);
        Ticket ticket;
        Article article;
        if (existing is null)
        {
            ticket = Ticket.Open(Guid.CreateVersion7(), number, subject, customer, await TeamForAsync(row.Mailbox, ct), Priority.Normal, "email",
                content.Text, content.Html, Actor.System, now, followUpOf: target?.Number);
            db.Tickets.Add(ticket);
            article = ticket.Articles[0];
        }
        else
        {
            ticket = existing;
            article = ticket.AddCustomerMessage(actor, content.Text, content.Html, isAutomatic: cls == MailClass.AutoReply, now);
        }

        if (cls != MailClass.AutoReply)
            foreach (var cc in CopiedAddresses(message, sender))
                if (!outbox.IsOurAddress(cc)) ticket.AddParticipant(cc, actor, now);

        var notes = content.Notes.ToList();
        if (thread.PossiblyRelated is { } related) notes.Add($"The subject names ticket #{related}, but the sender is not one of its participants: opened as a new ticket, possibly related.");
        if (target is not null && target.IsClosed) notes.Add($"Follow-up of closed ticket #{target.Number}.");
        db.Add(new ArticleMail
        {
            ArticleId = article.Id, TicketId = ticket.Id, InboundMailId = row.Id, MessageId = row.MessageId,
            ThreadedBy = thread.Rule, Classification = cls switch { MailClass.AutoReply => "auto_reply", MailClass.List => "list", _ => "normal" },
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

        if (outcome == MailOutcome.Created && cls == MailClass.Normal && !MailClassifier.AsksNoAutoAnswer(message))
            await outbox.EnqueueAcknowledgementAsync(ticket, sender, ct);

        await sla.RefreshAsync(ticket, now, ct);
        var result = await FinishAsync(row, outcome, ticket.Number, article.Id, thread.Rule, tx, ct);
        await publisher.PublishAsync(ticket, ct);
        return result;
    }

    private async Task<MailOutcome> BounceAsync(InboundMail row, MimeMessage message, byte[] key, Instant now, CancellationToken ct)
    {
        var (originalId, statuses) = BounceReport.Read(message);
        var ids = ThreadIds(message).ToList();
        if (originalId is not null) ids.Add(originalId);
        var thread = await MailThreading.ResolveAsync(db, signing, key, ids, "", "", ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var s in statuses.Where(s => s.Permanent && EmailAddress.IsValid(s.Recipient)))
        {
            var address = EmailAddress.Normalise(s.Recipient);
            var until = now + Duration.FromDays(7);
            var existing = await db.Set<UndeliverableAddress>().SingleOrDefaultAsync(u => u.Address == address, ct);
            if (existing is null) db.Add(new UndeliverableAddress { Address = address, Until = until, Reason = $"bounce {s.Status}" });
            else { existing.Until = until; existing.Reason = $"bounce {s.Status}"; }
        }
        if (thread.Ticket is not { } ticket)
            return await FinishAsync(row, MailOutcome.Bounce, null, null, "delivery report for a message we cannot find", tx, ct);
        var summary = new StringBuilder("Delivery report: ");
        summary.Append(statuses.Count == 0 ? "no status given" : string.Join("; ", statuses.Select(s => $"{s.Recipient} {s.Status} ({(s.Permanent ? "permanent failure" : "temporary")})")));
        summary.Append("\n\n").Append(message.TextBody ?? "");
        var article = ticket.AddBounce(summary.ToString(), now);
        db.Add(new ArticleMail { ArticleId = article.Id, TicketId = ticket.Id, InboundMailId = row.Id, MessageId = row.MessageId, ThreadedBy = thread.Rule, Classification = "bounce" });
        await sla.RefreshAsync(ticket, now, ct);
        var result = await FinishAsync(row, MailOutcome.Bounce, ticket.Number, article.Id, thread.Rule, tx, ct);
        await publisher.PublishAsync(ticket, ct);
        return result;
    }

    private async Task<MailOutcome> FinishAsync(InboundMail row, string outcome, int? ticket, Guid? article, string? reason,
        Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction? tx, CancellationToken ct)
    {
        row.State = InboundState.Processed;
        row.Outcome = outcome;
        row.TicketNumber = ticket;
        row.ArticleId = article;
        row.Reason = reason;
        row.ProcessedAt = clock.GetCurrentInstant();
        await db.SaveChangesAsync(ct);
        if (tx is not null) await tx.CommitAsync(ct);
        return new MailOutcome(outcome, ticket, article, reason);
    }

    private async Task<MimeMessage> ParseAsync(byte[] raw, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.ParseTimeoutSeconds));
        var parser = new ParserOptions { MaxMimeDepth = options.Value.MaxMimeDepth };
        try
        {
            return await Task.Run(() => MimeMessage.Load(parser, new MemoryStream(raw, writable: false), timeout.Token), timeout.Token)
                .WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"parsing took longer than {options.Value.ParseTimeoutSeconds} s");
        }
    }

    private async Task<ExtractedContent> ExtractAsync(MimeMessage message, int ticketNumber, CancellationToken ct)
    {
        var o = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(o.ParseTimeoutSeconds));
        try
        {
            return await Task.Run(() => MailContent.Extract(message, o.MaxAttachmentBytes, o.MaxMessageBytes,
                id => $"/api/v1/tickets/{ticketNumber}/attachments/{id}"), timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"reading the bodies took longer than {o.ParseTimeoutSeconds} s");
        }
    }

    private async Task<Guid> TeamForAsync(string mailbox, CancellationToken ct)
    {
        var name = options.Value.Imap.FirstOrDefault(m => m.Name == mailbox)?.Team?.Trim().ToLowerInvariant();
        var team = name is { Length: > 0 }
            ? await db.Teams.SingleOrDefaultAsync(t => t.Name == name, ct)
            : await db.Teams.OrderBy(t => t.Name == "support" ? 0 : 1).ThenBy(t => t.Name).FirstOrDefaultAsync(ct);
        return team?.Id ?? throw new DomainRuleViolation("team.none", name is null ? "No team exists yet to receive mail." : $"Mailbox '{mailbox}' names team '{name}', which does not exist.");
    }

    /// <summary>References then In-Reply-To, in order (threading tries them right to left).</summary>
    public static IReadOnlyList<string> ThreadIds(MimeMessage message)
    {
        var ids = message.References.Select(r => r.Trim()).Where(r => r.Length > 0).ToList();
        if (message.InReplyTo is { Length: > 0 } irt && NormaliseMessageId(irt) is { } n && !ids.Contains(n)) ids.Add(n);
        return ids;
    }

    private static IEnumerable<string> CopiedAddresses(MimeMessage message, string sender) =>
        message.To.Mailboxes.Concat(message.Cc.Mailboxes).Select(m => m.Address).Where(EmailAddress.IsValid)
            .Select(EmailAddress.Normalise).Where(a => a != sender).Distinct();

    /// <summary>Trimmed, no angle brackets, case kept; null when empty.</summary>
    public static string? NormaliseMessageId(string? id)
    {
        if (id is null) return null;
        var t = id.Trim();
        var lt = t.IndexOf('<');
        var gt = t.IndexOf('>', lt + 1);
        if (lt >= 0 && gt > lt) t = t[(lt + 1)..gt];
        t = t.Trim().Trim('<', '>').Trim();
        return t.Length is 0 or > 390 ? null : t;
    }

    private static string? ReadMessageId(byte[] raw)
    {
        try
        {
            var headers = HeaderList.Load(new MemoryStream(raw, writable: false));
            return NormaliseMessageId(headers[HeaderId.MessageId]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Input that is not mail at all (mailgate exit 65): empty, or not starting with a header field or an mbox From line.</summary>
    public static bool LooksLikeMail(ReadOnlySpan<byte> raw)
    {
        var start = raw.TrimStart("\r\n"u8);
        if (start.Length == 0) return false;
        var firstLine = start[..Math.Min(start.Length, 1000)];
        var nl = firstLine.IndexOf((byte)'\n');
        if (nl >= 0) firstLine = firstLine[..nl];
        var text = Encoding.Latin1.GetString(firstLine);
        return HeaderLine().IsMatch(text) || text.StartsWith("From ", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^[\x21-\x39\x3B-\x7E]+[ \t]*:")]
    private static partial Regex HeaderLine();
}
