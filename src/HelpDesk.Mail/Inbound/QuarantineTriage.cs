using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;
using NodaTime;

namespace HelpDesk.Mail.Inbound;

/// <summary>A quarantined message as an admin triages it: why it failed (class and detail), who sent what, when, how big.</summary>
/// <param name="Reprocessable">Raw bytes were stored (an oversized message was never downloaded).</param>
public sealed record QuarantinedMailDto(Guid Id, string ReasonCode, string? Reason, string? From, string? Subject, Instant ReceivedAt, long Size,
    string Mailbox, string MessageId, string Source, int Attempts, string? SenderFix, bool Reprocessable);

/// <summary>One quarantined message as an admin reads it: the bodies as the pipeline extracts them (HTML sanitised, remote images blocked), its files by name, and the raw header block.</summary>
/// <param name="ReadError">Why the bodies could not be read (the message is quarantined for that), else null.</param>
public sealed record QuarantinedMailDetailDto(QuarantinedMailDto Mail, string? Headers, string? Text, string? Html, IReadOnlyList<QuarantinedFileDto> Files, string? ReadError);

/// <summary>A file of a quarantined message (its bytes stay in the raw message).</summary>
public sealed record QuarantinedFileDto(string FileName, string ContentType, long Size);

/// <summary>What reprocessing or discarding did to one message (<see cref="MailOutcome"/> plus its id).</summary>
public sealed record TriageResult(Guid Id, string Outcome, int? Ticket, Guid? Article, string? Reason, string? ReasonCode);

/// <summary>Messages to reprocess: <paramref name="Ids"/> or every message of one <paramref name="Reason"/> class; optional sender fixes by id.</summary>
public sealed record ReprocessQuarantine(IReadOnlyList<Guid>? Ids = null, string? Reason = null, IReadOnlyDictionary<Guid, string>? Senders = null);

/// <summary>Messages to discard: <paramref name="Ids"/> or every message of one <paramref name="Reason"/> class.</summary>
public sealed record DiscardQuarantine(IReadOnlyList<Guid>? Ids = null, string? Reason = null);

/// <summary>
/// The admins' quarantine triage (docs/email.md, "Quarantine triage"): the list filtered by reason class, reprocessing in
/// bulk through the normal ingestion path (<see cref="MailIngestor.ReprocessAsync(IReadOnlyList{Guid}, CancellationToken)"/>)
/// with an optional sender fix, and discarding, which keeps the raw bytes for audit.
/// </summary>
public sealed class QuarantineTriage(HelpDeskDbContext db, MailIngestor ingestor, Caller caller, IClock clock, IOptions<MailOptions> options)
{
    /// <summary>Most messages one request reprocesses or discards.</summary>
    public const int MaxMessages = 500;

    /// <summary>Newest first, optionally one reason class and one mailbox, from <paramref name="offset"/> (paging; the total is in the counts).</summary>
    public async Task<IReadOnlyList<QuarantinedMailDto>> ListAsync(string? reason, int limit, CancellationToken ct, int offset = 0, string? mailbox = null)
    {
        await caller.RequireRoleAsync(AgentRole.Admin, ct);
        if (reason is not null) Refuse(KnownReason(reason));
        if (offset < 0) Refuse([new ValidationFailure("offset", "0 or more.")]);
        var rows = await Quarantined(reason).Where(m => mailbox == null || m.Mailbox == mailbox)
            .OrderByDescending(m => m.ReceivedAt).ThenBy(m => m.Id).Skip(offset).Take(Math.Clamp(limit, 1, 1000))
            .Select(m => new QuarantinedMailDto(m.Id, m.ReasonCode ?? QuarantineReason.Error, m.Reason, m.Sender, m.Subject, m.ReceivedAt, m.Size,
                m.Mailbox, m.MessageId, m.Source, m.Attempts, m.SenderFix, m.Raw.Length > 0))
            .ToListAsync(ct);
        // Rows quarantined before From and Subject were kept: read them from the raw headers.
        var legacy = rows.Where(r => r is { From: null, Subject: null, Reprocessable: true }).Select(r => r.Id).ToList();
        if (legacy.Count == 0) return rows;
        var headers = await db.Set<InboundMail>().AsNoTracking().Where(m => legacy.Contains(m.Id)).Select(m => new { m.Id, m.Raw }).ToListAsync(ct);
        var found = headers.ToDictionary(h => h.Id, h => HeadersOf(h.Raw));
        return rows.Select(r => found.TryGetValue(r.Id, out var h) ? r with { From = h.From, Subject = h.Subject } : r).ToList();
    }

    /// <summary>
    /// One quarantined message, read from its raw bytes as the pipeline reads them (<see cref="MailParsing.Parse"/>,
    /// <see cref="MailContent.Extract"/>: HTML sanitised, remote images blocked). A message that cannot be read shows why
    /// and its header block.
    /// </summary>
    public async Task<QuarantinedMailDetailDto> GetAsync(Guid id, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Admin, ct);
        var m = await db.Set<InboundMail>().AsNoTracking().SingleOrDefaultAsync(m => m.Id == id && m.State == InboundState.Quarantined, ct)
            ?? throw new NotFoundException($"There is no quarantined mail {id}.");
        var (from, subject) = m is { Sender: null, Subject: null } ? HeadersOf(m.Raw) : (m.Sender, m.Subject);
        var dto = new QuarantinedMailDto(m.Id, m.ReasonCode ?? QuarantineReason.Error, m.Reason, from, subject, m.ReceivedAt, m.Size,
            m.Mailbox, m.MessageId, m.Source, m.Attempts, m.SenderFix, m.Raw.Length > 0);
        if (m.Raw.Length == 0) return new QuarantinedMailDetailDto(dto, null, null, null, [], "The message was never downloaded (too large).");
        var start = Math.Max(0, MailParsing.HeaderStart(m.Raw));
        var end = m.Raw.AsSpan(start).IndexOf("\n\r\n"u8) is var e and >= 0 ? start + e : m.Raw.AsSpan(start).IndexOf("\n\n"u8) is var f and >= 0 ? start + f
            : m.Raw.Length;
        var headers = System.Text.Encoding.Latin1.GetString(m.Raw, start, Math.Min(end - start, 16 * 1024));
        var o = options.Value;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(o.ParseTimeoutSeconds));
        try
        {
            var content = MailContent.Extract(MailParsing.Parse(m.Raw, o.MaxMimeDepth, limit.Token), o.MaxAttachmentBytes, o.MaxMessageBytes);
            return new QuarantinedMailDetailDto(dto, headers, content.Text, content.Html,
                content.Attachments.Select(a => new QuarantinedFileDto(a.FileName, a.ContentType, a.Size)).ToList(), null);
        }
        catch (Exception ex) when (ex is FormatException or ParseException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new QuarantinedMailDetailDto(dto, headers, null, null, [], ex is OperationCanceledException ? "Reading it took too long." : ex.Message);
        }
    }

    /// <summary>
    /// Records the sender fixes, then runs each message through the normal ingestion path from its raw bytes. A message
    /// already ingested is reported, not ingested again; one that fails again stays quarantined with its new reason.
    /// </summary>
    public async Task<IReadOnlyList<TriageResult>> ReprocessAsync(ReprocessQuarantine request, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Admin, ct);
        var ids = await SelectAsync(request.Ids, request.Reason, ct);
        var senders = request.Senders ?? new Dictionary<Guid, string>();
        Refuse(senders.SelectMany(s =>
            !ids.Contains(s.Key) ? [new ValidationFailure($"senders.{s.Key}", "This message is not among the ones to reprocess.")]
            : !EmailAddress.IsValid(s.Value) ? [new ValidationFailure($"senders.{s.Key}", $"'{s.Value}' is not an e-mail address.")]
            : Array.Empty<ValidationFailure>()));
        foreach (var (id, address) in senders)
        {
            var fix = EmailAddress.Normalise(address);
            await db.Set<InboundMail>().Where(m => m.Id == id && m.State == InboundState.Quarantined)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.SenderFix, fix), ct);
        }
        return (await ingestor.ReprocessAsync(ids, ct)).Select(r => Result(r.Id, r.Outcome)).ToList();
    }

    /// <summary>
    /// Takes messages out of the triage list for good. Their raw bytes stay (audit: what arrived is never deleted by the
    /// help desk), with who discarded them; a message processed meanwhile is reported as such, not discarded.
    /// </summary>
    public async Task<IReadOnlyList<TriageResult>> DiscardAsync(DiscardQuarantine request, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Admin, ct);
        var by = (await caller.RequireAgentAsync(ct)).Email;
        var ids = await SelectAsync(request.Ids, request.Reason, ct);
        var now = clock.GetCurrentInstant();
        var results = new List<TriageResult>();
        foreach (var chunk in ids.Chunk(MailIngestor.MaxBatch))
        {
            await db.Set<InboundMail>().Where(m => chunk.Contains(m.Id) && m.State == InboundState.Quarantined)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.State, InboundState.Discarded).SetProperty(m => m.Outcome, MailOutcome.Discarded)
                    .SetProperty(m => m.DiscardedBy, by).SetProperty(m => m.ProcessedAt, now), ct);
            var rows = await db.Set<InboundMail>().AsNoTracking().Where(m => chunk.Contains(m.Id))
                .Select(m => new { m.Id, m.State, m.TicketNumber, m.ArticleId, m.DiscardedBy }).ToDictionaryAsync(m => m.Id, ct);
            results.AddRange(chunk.Select(id => Result(id, !rows.TryGetValue(id, out var row) ? new MailOutcome(MailOutcome.NotFound, null, null, $"there is no inbound mail {id}")
                : row.State == InboundState.Discarded ? new MailOutcome(MailOutcome.Discarded, null, null, $"discarded by {row.DiscardedBy}")
                : new MailOutcome(MailOutcome.Duplicate, row.TicketNumber, row.ArticleId, "already processed"))));
        }
        return results;
    }

    /// <summary>The From and Subject headers as they read, for the triage list; none when the headers cannot be read.</summary>
    public static (string? From, string? Subject) HeadersOf(byte[] raw)
    {
        var headers = MailParsing.ReadHeaders(raw);
        return (Cut(headers?[HeaderId.From]), Cut(headers?[HeaderId.Subject]));

        static string? Cut(string? value) => value?.Trim() is { Length: > 0 } v ? v.Length > 500 ? v[..500] : v : null;
    }

    private IQueryable<InboundMail> Quarantined(string? reason) =>
        db.Set<InboundMail>().AsNoTracking().Where(m => m.State == InboundState.Quarantined && (reason == null || m.ReasonCode == reason));

    // Exactly one of ids or a reason class; a class stands for its quarantined messages, oldest first.
    private async Task<List<Guid>> SelectAsync(IReadOnlyList<Guid>? ids, string? reason, CancellationToken ct)
    {
        Refuse((ids is { Count: > 0 }, reason is not null) switch
        {
            (false, false) => [new ValidationFailure("ids", "Give the ids of the messages, or a reason class.")],
            (true, true) => [new ValidationFailure("reason", "Give either ids or a reason class, not both.")],
            (true, false) => ids!.Count > MaxMessages ? [new ValidationFailure("ids", $"At most {MaxMessages} messages at a time.")]
                : ids.Select((id, k) => id == Guid.Empty ? new ValidationFailure($"ids[{k}]", "Not a message id.") : null).OfType<ValidationFailure>(),
            (false, true) => KnownReason(reason!),
        });
        if (ids is { Count: > 0 }) return ids.Distinct().ToList();
        return await Quarantined(reason).OrderBy(m => m.ReceivedAt).ThenBy(m => m.Id).Take(MaxMessages).Select(m => m.Id).ToListAsync(ct);
    }

    private static IEnumerable<ValidationFailure> KnownReason(string reason) => QuarantineReason.All.Contains(reason) ? []
        : [new ValidationFailure("reason", $"Unknown reason class '{reason}'; one of {string.Join(", ", QuarantineReason.All)}.")];

    private static void Refuse(IEnumerable<ValidationFailure> failures)
    {
        var list = failures.ToList();
        if (list.Count > 0) throw new ValidationException(list);
    }

    private static TriageResult Result(Guid id, MailOutcome o) => new(id, o.Outcome, o.Ticket, o.Article, o.Reason, o.ReasonCode);
}
