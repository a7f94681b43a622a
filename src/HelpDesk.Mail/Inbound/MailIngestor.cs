using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Telemetry;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Agents;
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

/// <summary>One message as it arrived: its exact bytes and where from (e.g. <c>imap:INBOX:1234:7</c>, <c>mailgate</c>).</summary>
public sealed record IncomingMail(byte[] Raw, string Source);

/// <summary>Test hook: called after the raw bytes are committed and before they are processed (crash-safety tests throw here).</summary>
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
    TicketEventPublisher publisher, PendingCycleStops stops, IOptions<MailOptions> options, ILogger<MailIngestor> logger, IEnumerable<IMailFaults> faults)
{
    public const string MailgateMailbox = "mailgate";

    /// <summary>Messages handled together: raw bytes stored in one commit, then processed in one more.</summary>
    public const int MaxBatch = 100;

    /// <summary>One message (a batch of one); see <see cref="IngestBatchAsync"/>.</summary>
    public async Task<MailOutcome> IngestAsync(string mailbox, byte[] raw, string source, CancellationToken ct) =>
        (await IngestBatchAsync(mailbox, [new IncomingMail(raw, source)], ct))[0];

    /// <summary>
    /// Ingests messages of one mailbox in arrival order: every raw message is stored in one transaction (email.md step 1,
    /// the point after which nothing can be lost), then all are processed in a second transaction, one savepoint each, so
    /// a message that fails is quarantined without taking its neighbours with it. An IMAP fetch hands over what one
    /// round trip brought; concurrent mailgate hand-offs are combined (<see cref="MailgateCombiner"/>). Outcomes are in
    /// the order of <paramref name="mails"/>.
    /// </summary>
    public async Task<IReadOnlyList<MailOutcome>> IngestBatchAsync(string mailbox, IReadOnlyList<IncomingMail> mails, CancellationToken ct)
    {
        var outcomes = new MailOutcome[mails.Count];
        var (toProcess, copies) = await StoreBatchAsync(mailbox, mails, outcomes, ct);
        foreach (var f in faults) foreach (var (_, row) in toProcess) f.AfterStored(row);
        var processed = await ProcessRowsAsync(toProcess.Select(p => p.Row).ToList(), ct);
        for (var k = 0; k < toProcess.Count; k++) outcomes[toProcess[k].Index] = processed[k];
        // A message repeated inside one batch: the later copies are duplicates of what the first became.
        foreach (var (copy, first, messageId) in copies)
            outcomes[copy] = new MailOutcome(MailOutcome.Duplicate, outcomes[first].Ticket, outcomes[first].Article, $"Message-ID {messageId} was already received");
        return outcomes;
    }

    /// <summary>
    /// Stores the exact bytes with their SHA-256 and normalised Message-ID, all messages in one transaction. A Message-ID
    /// already stored for the mailbox is a duplicate, unless its first arrival never finished processing (a crash): then
    /// it is resumed. Returns the rows to process with their index in <paramref name="mails"/>.
    /// </summary>
    private async Task<(List<(int Index, InboundMail Row)> ToProcess, List<(int Copy, int First, string MessageId)> Copies)> StoreBatchAsync(
        string mailbox, IReadOnlyList<IncomingMail> mails, MailOutcome[] outcomes, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var ids = mails.Select(m => Identify(m.Raw)).ToList();
        var messageIds = ids.Select(i => i.MessageId).ToList();
        var distinct = messageIds.Distinct().ToList();
        var existing = (await db.Set<InboundMail>().AsNoTracking().Where(m => m.Mailbox == mailbox && distinct.Contains(m.MessageId)).ToListAsync(ct))
            .ToDictionary(m => m.MessageId);
        var result = new List<(int, InboundMail)>();
        var copies = new List<(int, int, string)>();
        var seen = new Dictionary<string, int>();
        for (var i = 0; i < mails.Count; i++)
        {
            var messageId = messageIds[i];
            if (seen.TryGetValue(messageId, out var first))
            {
                copies.Add((i, first, messageId));
                continue;
            }
            seen[messageId] = i;
            if (existing.TryGetValue(messageId, out var stored))
            {
                if (stored.State == InboundState.Stored) result.Add((i, stored));
                else outcomes[i] = new MailOutcome(MailOutcome.Duplicate, stored.TicketNumber, stored.ArticleId, $"Message-ID {messageId} was already received");
                continue;
            }
            var row = new InboundMail
            {
                Id = Guid.CreateVersion7(), Mailbox = mailbox, MessageId = messageId, Sha256 = ids[i].Sha, Raw = mails[i].Raw, Size = mails[i].Raw.LongLength,
                Source = mails[i].Source, ReceivedAt = now, State = InboundState.Stored,
            };
            db.Add(row);
            result.Add((i, row));
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (mails.Count > 1)
        {
            // Another node stored one of these Message-IDs at the same moment: sort it out one message at a time.
            db.ChangeTracker.Clear();
            result.Clear();
            for (var i = 0; i < mails.Count; i++)
            {
                if (outcomes[i] is not null || copies.Any(c => c.Item1 == i)) continue;
                var (row, duplicate) = await StoreOneAsync(mailbox, mails[i], ct);
                if (duplicate) outcomes[i] = new MailOutcome(MailOutcome.Duplicate, row.TicketNumber, row.ArticleId, $"Message-ID {row.MessageId} was already received");
                else result.Add((i, row));
            }
            return (result, copies);
        }
        db.ChangeTracker.Clear();
        return (result, copies);
    }

    private async Task<(InboundMail Stored, bool Duplicate)> StoreOneAsync(string mailbox, IncomingMail mail, CancellationToken ct)
    {
        var outcomes = new MailOutcome[1];
        try
        {
            var (stored, _) = await StoreBatchAsync(mailbox, [mail], outcomes, ct);
            if (stored.Count == 1) return (stored[0].Row, false);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
        }
        var (_, messageId) = Identify(mail.Raw);
        var existing = await db.Set<InboundMail>().AsNoTracking().SingleAsync(m => m.Mailbox == mailbox && m.MessageId == messageId, ct);
        return (existing, existing.State != InboundState.Stored);
    }

    // The SHA-256 of the exact bytes and the normalised Message-ID (derived from the SHA-256 when there is none).
    private static (string Sha, string MessageId) Identify(byte[] raw)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(raw));
        return (sha, ReadMessageId(raw) ?? $"{sha}@sha256.invalid");
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
    public async Task<MailOutcome> ProcessAsync(Guid inboundId, CancellationToken ct) => (await ProcessStoredAsync([inboundId], ct))[0];

    /// <summary>Processes stored messages (a resumed crash, a reprocess) as one batch, in the order given.</summary>
    public async Task<IReadOnlyList<MailOutcome>> ProcessStoredAsync(IReadOnlyList<Guid> inboundIds, CancellationToken ct)
    {
        var rows = await db.Set<InboundMail>().AsNoTracking().Where(m => inboundIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, ct);
        return await ProcessRowsAsync(inboundIds.Select(id => rows[id]).ToList(), ct);
    }

    /// <summary>Processes a stored or quarantined message again from its raw bytes (<c>helpdesk mail reprocess</c>).</summary>
    public async Task<MailOutcome> ReprocessAsync(Guid inboundId, CancellationToken ct)
    {
        var row = await db.Set<InboundMail>().AsNoTracking().SingleOrDefaultAsync(m => m.Id == inboundId, ct)
            ?? throw new NotFoundException($"There is no inbound mail {inboundId}.");
        if (row.State == InboundState.Processed)
            return new MailOutcome(MailOutcome.Duplicate, row.TicketNumber, row.ArticleId, "already processed");
        if (row.Raw.Length == 0) return new MailOutcome(MailOutcome.Quarantined, null, null, row.Reason ?? "no raw bytes were stored");
        return (await ProcessRowsAsync([row], ct))[0];
    }

    /// <summary>A parsed and extracted message, or why it could not be (then it is quarantined).</summary>
    private sealed record Prepared(MimeMessage? Message, MailClass Class, ExtractedContent? Content, Exception? Error);

    /// <summary>
    /// Processes stored rows (detached) in one transaction. Parsing and body extraction, pure CPU work bounded by
    /// timeouts, run in parallel first; then each message's domain effects are applied in order under a savepoint: a
    /// message that throws is rolled back to its savepoint and quarantined with the error, a concurrency conflict is
    /// retried from the raw bytes. Ticket events are published after the commit. A transient failure retries the whole
    /// batch (ADR 0009): every attempt starts from the rows and cycle stops as they were before the first.
    /// </summary>
    private async Task<IReadOnlyList<MailOutcome>> ProcessRowsAsync(IReadOnlyList<InboundMail> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var key = await signing.KeyAsync(db, ct);
        var prepared = await PrepareAsync(rows, key, ct);
        var before = rows.Select(RowState.Of).ToList();
        var noted = stops.Mark();
        var (outcomes, touched) = await db.InTransactionAsync(async ct =>
        {
            for (var k = 0; k < rows.Count; k++) before[k].ApplyTo(rows[k]);
            stops.RollBackTo(noted);
            var tx = db.Database.CurrentTransaction!;
            var outcomes = new MailOutcome[rows.Count];
            var touched = new List<Ticket>();
            for (var k = 0; k < rows.Count; k++)
            {
                for (var attempt = 1; ; attempt++)
                {
                    db.ChangeTracker.Clear();
                    await tx.CreateSavepointAsync(Savepoint, ct);
                    var mark = stops.Mark();
                    var row = rows[k];
                    db.Attach(row);
                    try
                    {
                        if (prepared[k].Error is { } error) throw error;
                        var (outcome, ticket) = await ApplyAsync(row, prepared[k], key, ct);
                        await db.SaveChangesAsync(ct);
                        await tx.ReleaseSavepointAsync(Savepoint, ct);
                        outcomes[k] = outcome;
                        if (ticket is not null) touched.Add(ticket);
                        break;
                    }
                    catch (Exception ex) when (ex is ConcurrencyConflict or DbUpdateConcurrencyException && attempt < 4)
                    {
                        // Someone changed the ticket at the same moment: start this message again from its raw bytes.
                        await RollBackAsync(tx, row, ct);
                        stops.RollBackTo(mark);
                        await tx.ReleaseSavepointAsync(Savepoint, ct);
                    }
                    catch (OperationCanceledException) when (ct.IsCancellationRequested)
                    {
                        throw;
                    }
                    // A transient failure is the database's, not the message's: it leaves the unit, which runs the batch again.
                    catch (Exception ex) when (!db.IsTransient(ex))
                    {
                        await RollBackAsync(tx, row, ct);
                        stops.RollBackTo(mark);
                        outcomes[k] = await QuarantineAsync(row, ex, ct);
                        await tx.ReleaseSavepointAsync(Savepoint, ct);
                        break;
                    }
                }
            }
            db.ChangeTracker.Clear();
            return (outcomes, touched);
        }, ct);
        await publisher.PublishAsync(touched, ct);
        return outcomes;
    }

    private const string Savepoint = "inbound_mail";

    /// <summary>What processing changes on an inbound row (the rest is as stored).</summary>
    private sealed record RowState(InboundState State, string? Outcome, string? Reason, int? TicketNumber, Guid? ArticleId, Instant? ProcessedAt, int Attempts)
    {
        public static RowState Of(InboundMail row) => new(row.State, row.Outcome, row.Reason, row.TicketNumber, row.ArticleId, row.ProcessedAt, row.Attempts);

        public void ApplyTo(InboundMail row) =>
            (row.State, row.Outcome, row.Reason, row.TicketNumber, row.ArticleId, row.ProcessedAt, row.Attempts) =
            (State, Outcome, Reason, TicketNumber, ArticleId, ProcessedAt, Attempts);
    }

    private async Task RollBackAsync(Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, InboundMail row, CancellationToken ct)
    {
        await tx.RollbackToSavepointAsync(Savepoint, ct);
        db.ChangeTracker.Clear();
        // The row object may carry this attempt's changes; the database has the stored state again.
        RowState.Of(await db.Set<InboundMail>().AsNoTracking().SingleAsync(m => m.Id == row.Id, ct)).ApplyTo(row);
    }

    private async Task<MailOutcome> QuarantineAsync(InboundMail row, Exception ex, CancellationToken ct)
    {
        var reason = $"{ex.GetType().Name}: {ex.Message}";
        if (reason.Length > 1900) reason = reason[..1900];
        db.Attach(row);
        row.State = InboundState.Quarantined;
        row.Outcome = MailOutcome.Quarantined;
        row.Reason = reason;
        row.ProcessedAt = clock.GetCurrentInstant();
        row.Attempts++;
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        logger.LogWarning("Inbound mail {Id} ({Mailbox}) quarantined: {Reason}", row.Id, row.Mailbox, reason);
        return new MailOutcome(MailOutcome.Quarantined, null, null, reason);
    }

    /// <summary>
    /// Parses, classifies and extracts every message, at most one per core at a time, each under its own timeout. The
    /// bodies are extracted before the ticket number is known: attachment URLs carry a placeholder filled in later.
    /// </summary>
    private async Task<Prepared[]> PrepareAsync(IReadOnlyList<InboundMail> rows, byte[] key, CancellationToken ct)
    {
        var o = options.Value;
        var result = new Prepared[rows.Count];
        using var slots = new SemaphoreSlim(Math.Max(1, Environment.ProcessorCount));
        await Task.WhenAll(rows.Select(async (row, k) =>
        {
            await slots.WaitAsync(ct);
            try
            {
                var message = await ParseAsync(row.Raw, ct);
                var cls = MailClassifier.Classify(message, id => signing.Verify(key, id) is not null, o.SystemAddress);
                var content = cls is MailClass.OwnLoop or MailClass.Bounce ? null : await ExtractAsync(message, ct);
                result[k] = new Prepared(message, cls, content, null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                result[k] = new Prepared(null, default, null, ex);
            }
            finally
            {
                slots.Release();
            }
        }));
        return result;
    }

    /// <summary>
    /// One message's effects, in the caller's transaction, not saved: customer, threading, the ticket or article, CC'd
    /// participants, the mail record and attachments, the acknowledgement in the outbox, the SLA columns, the row's outcome.
    /// </summary>
    private async Task<(MailOutcome Outcome, Ticket? Ticket)> ApplyAsync(InboundMail row, Prepared prepared, byte[] key, CancellationToken ct)
    {
        var message = prepared.Message!;
        var cls = prepared.Class;
        var now = clock.GetCurrentInstant();
        row.Attempts++;

        if (cls == MailClass.OwnLoop)
        {
            logger.LogInformation("Inbound mail {Id} is our own message coming back; dropped", row.Id);
            return (Finish(row, MailOutcome.DroppedLoop, null, null, "our own message came back (mail loop)"), null);
        }

        var from = message.From.Mailboxes.FirstOrDefault(m => EmailAddress.IsValid(m.Address))
            ?? message.Sender ?? message.From.Mailboxes.FirstOrDefault();
        if (cls == MailClass.Bounce) return await BounceAsync(row, message, key, now, ct);
        if (from is null || !EmailAddress.IsValid(from.Address))
            throw new InvalidDataException("the message has no usable From address");

        var sender = EmailAddress.Normalise(from.Address);
        var thread = await MailThreading.ResolveAsync(db, signing, key, ThreadIds(message), message.Subject ?? "", sender, ct);
        var subject = string.IsNullOrWhiteSpace(message.Subject) ? "(no subject)" : message.Subject.Trim();
        var target = thread.Ticket;
        if (cls == MailClass.AutoReply && (target is null || target.IsClosed))
            return (Finish(row, MailOutcome.AutoReply, null, null,
                target is null ? "automatic reply that belongs to no ticket; kept, not answered" : $"automatic reply to closed ticket #{target.Number}; kept, not answered"), null);

        // An active agent writing into an open ticket (answering a notification from their mail client, a CC): their
        // internal note. Never a customer message, which would reopen the ticket and restart the customer's clocks, and
        // never a customer record for an agent. Not sent to the customer: such mail quotes internal notifications.
        if (cls != MailClass.AutoReply && target is { IsClosed: false } && await AgentAsync(sender, ct) is { } agent)
        {
            var note = prepared.Content!.ForTicket(target.Number);
            var noteArticle = target.AddInternalNote(agent, note.Text, note.Html, now);
            AddMailRecords(row, message, cls, thread, target, noteArticle, note, [.. note.Notes, $"Mail from agent {agent.Email}: kept as an internal note, not sent to the customer."]);
            await sla.RefreshAsync(target, now, ct);
            return (Finish(row, MailOutcome.Appended, target.Number, noteArticle.Id, thread.Rule), target);
        }

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
        if (cls == MailClass.AutoReply)
        {
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

        var content = prepared.Content!.ForTicket(existing?.Number ?? number);
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
        AddMailRecords(row, message, cls, thread, ticket, article, content, notes);

        if (outcome == MailOutcome.Created && cls == MailClass.Normal && !MailClassifier.AsksNoAutoAnswer(message))
            await outbox.EnqueueAcknowledgementAsync(ticket, sender, ct);

        await sla.RefreshAsync(ticket, now, ct);
        return (Finish(row, outcome, ticket.Number, article.Id, thread.Rule), ticket);
    }

    // How the article came by mail (threading rule, classification, Reply-To, quote, notes) and its attachments.
    private void AddMailRecords(InboundMail row, MimeMessage message, MailClass cls, ThreadMatch thread, Ticket ticket, Article article,
        ExtractedContent content, IReadOnlyList<string> notes)
    {
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
    }

    // Active agents by address, read once per batch (a small table).
    private Dictionary<string, Agent>? _agents;

    private async Task<Agent?> AgentAsync(string address, CancellationToken ct)
    {
        _agents ??= await db.Agents.AsNoTracking().Where(a => a.IsActive).ToDictionaryAsync(a => a.Email, ct);
        return _agents.GetValueOrDefault(address);
    }

    private async Task<(MailOutcome, Ticket?)> BounceAsync(InboundMail row, MimeMessage message, byte[] key, Instant now, CancellationToken ct)
    {
        var (originalId, statuses) = BounceReport.Read(message);
        var ids = ThreadIds(message).ToList();
        if (originalId is not null) ids.Add(originalId);
        var thread = await MailThreading.ResolveAsync(db, signing, key, ids, "", "", ct);
        foreach (var s in statuses.Where(s => s.Permanent && EmailAddress.IsValid(s.Recipient)))
        {
            var address = EmailAddress.Normalise(s.Recipient);
            var until = now + Duration.FromDays(7);
            var existing = await db.Set<UndeliverableAddress>().SingleOrDefaultAsync(u => u.Address == address, ct);
            if (existing is null) db.Add(new UndeliverableAddress { Address = address, Until = until, Reason = $"bounce {s.Status}" });
            else { existing.Until = until; existing.Reason = $"bounce {s.Status}"; }
        }
        if (thread.Ticket is not { } ticket)
            return (Finish(row, MailOutcome.Bounce, null, null, "delivery report for a message we cannot find"), null);
        var summary = new StringBuilder("Delivery report: ");
        summary.Append(statuses.Count == 0 ? "no status given" : string.Join("; ", statuses.Select(s => $"{s.Recipient} {s.Status} ({(s.Permanent ? "permanent failure" : "temporary")})")));
        summary.Append("\n\n").Append(message.TextBody ?? "");
        var article = ticket.AddBounce(summary.ToString(), now);
        db.Add(new ArticleMail { ArticleId = article.Id, TicketId = ticket.Id, InboundMailId = row.Id, MessageId = row.MessageId, ThreadedBy = thread.Rule, Classification = "bounce" });
        await sla.RefreshAsync(ticket, now, ct);
        return (Finish(row, MailOutcome.Bounce, ticket.Number, article.Id, thread.Rule), ticket);
    }

    private MailOutcome Finish(InboundMail row, string outcome, int? ticket, Guid? article, string? reason)
    {
        row.State = InboundState.Processed;
        row.Outcome = outcome;
        row.TicketNumber = ticket;
        row.ArticleId = article;
        row.Reason = reason;
        row.ProcessedAt = clock.GetCurrentInstant();
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

    private async Task<ExtractedContent> ExtractAsync(MimeMessage message, CancellationToken ct)
    {
        var o = options.Value;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(o.ParseTimeoutSeconds));
        try
        {
            return await Task.Run(() => MailContent.Extract(message, o.MaxAttachmentBytes, o.MaxMessageBytes), timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"reading the bodies took longer than {o.ParseTimeoutSeconds} s");
        }
    }

    // The team a mailbox's new tickets go to, looked up once per batch.
    private readonly Dictionary<string, Guid> _teams = [];

    private async Task<Guid> TeamForAsync(string mailbox, CancellationToken ct)
    {
        if (_teams.TryGetValue(mailbox, out var known)) return known;
        var name = options.Value.Imap.FirstOrDefault(m => m.Name == mailbox)?.Team?.Trim().ToLowerInvariant();
        var team = name is { Length: > 0 }
            ? await db.Teams.SingleOrDefaultAsync(t => t.Name == name, ct)
            : await db.Teams.OrderBy(t => t.Name == "support" ? 0 : 1).ThenBy(t => t.Name).FirstOrDefaultAsync(ct);
        return _teams[mailbox] = team?.Id
            ?? throw new DomainRuleViolation("team.none", name is null ? "No team exists yet to receive mail." : $"Mailbox '{mailbox}' names team '{name}', which does not exist.");
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
