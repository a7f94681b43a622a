using System.Security.Cryptography;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using NodaTime;

namespace HelpDesk.Mail.Inbound;

/// <summary>
/// Step 1 of email.md: the exact bytes of every message are committed before anything else happens to them (the point
/// after which nothing can be lost), with their SHA-256 and normalised Message-ID, which deduplicates per mailbox.
/// </summary>
public sealed class RawMailStore(HelpDeskDbContext db, IClock clock, IOptions<MailOptions> options)
{
    /// <summary>
    /// Stores messages of one mailbox, all in one transaction. A Message-ID already stored for the mailbox is a duplicate
    /// (its outcome is set in <paramref name="outcomes"/>), unless its first arrival never finished processing (a crash):
    /// then it is resumed. Returns the rows to process with their index in <paramref name="mails"/>, and the messages
    /// repeated inside the batch (copies of an earlier index).
    /// </summary>
    public async Task<(List<(int Index, InboundMail Row)> ToProcess, List<(int Copy, int First, string MessageId)> Copies)> StoreBatchAsync(
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

    /// <summary>Records a message too large to download (size gate): kept as quarantined metadata, never parsed.</summary>
    public async Task<MailOutcome> RecordOversizedAsync(string mailbox, string? messageId, long size, string source, CancellationToken ct)
    {
        var id = MessageIds.Normalise(messageId) ?? $"oversized.{source}@size.invalid";
        if (await db.Set<InboundMail>().AnyAsync(m => m.Mailbox == mailbox && m.MessageId == id, ct))
            return new MailOutcome(MailOutcome.Duplicate, null, null, "already recorded");
        var reason = $"message of {size} bytes exceeds the limit of {options.Value.MaxMessageBytes} bytes; not downloaded";
        db.Add(new InboundMail
        {
            Id = Guid.CreateVersion7(), Mailbox = mailbox, MessageId = id, Sha256 = "", Raw = [], Size = size, Source = source,
            ReceivedAt = clock.GetCurrentInstant(), State = InboundState.Quarantined, Outcome = MailOutcome.Quarantined, Reason = reason,
            ReasonCode = QuarantineReason.TooLarge,
        });
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        return new MailOutcome(MailOutcome.Quarantined, null, null, reason, QuarantineReason.TooLarge);
    }

    // The SHA-256 of the exact bytes and the normalised Message-ID (derived from the SHA-256 when there is none).
    private static (string Sha, string MessageId) Identify(byte[] raw)
    {
        var sha = Convert.ToHexStringLower(SHA256.HashData(raw));
        return (sha, MailParsing.ReadMessageId(raw) ?? $"{sha}@sha256.invalid");
    }
}

/// <summary>Message-IDs as the help desk keeps and compares them.</summary>
public static class MessageIds
{
    /// <summary>Trimmed, no angle brackets, case kept; null when empty, too long or carrying control characters (a NUL
    /// from a damaged message is refused by PostgreSQL's text columns, and no real Message-ID has one).</summary>
    public static string? Normalise(string? id)
    {
        if (id is null) return null;
        var t = id.Trim();
        var lt = t.IndexOf('<');
        var gt = t.IndexOf('>', lt + 1);
        if (lt >= 0 && gt > lt) t = t[(lt + 1)..gt];
        t = t.Trim().Trim('<', '>').Trim();
        return t.Length is 0 or > 390 || t.Any(char.IsControl) ? null : t;
    }
}
