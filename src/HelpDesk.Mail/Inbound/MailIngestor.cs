using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Tickets;
using HelpDesk.Mail.Inbound.Commands;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace HelpDesk.Mail.Inbound;

/// <summary>What happened to one inbound message (the mailgate's JSON line).</summary>
/// <param name="ReasonCode">Why it is quarantined (<see cref="QuarantineReason"/>); null otherwise.</param>
public sealed record MailOutcome(string Outcome, int? Ticket, Guid? Article, string? Reason, string? ReasonCode = null)
{
    public const string Created = "created", Appended = "appended", Duplicate = "duplicate", AutoReply = "auto_reply",
        Bounce = "bounce", DroppedLoop = "dropped_loop", Quarantined = "quarantined", Discarded = "discarded", NotFound = "not_found";
}

/// <summary>One message as it arrived: its exact bytes and where from (e.g. <c>imap:INBOX:1234:7</c>, <c>mailgate</c>).</summary>
public sealed record IncomingMail(byte[] Raw, string Source);

/// <summary>
/// The inbound pipeline of email.md, for IMAP and the mailgate alike, in batches (ADR 0008): the raw bytes are stored
/// first (<see cref="RawMailStore"/>), then prepared (<see cref="MailPreparation"/>: parse, classify, extract), then
/// each message's command runs (<see cref="ApplyInboundMail"/>) in one transaction for the batch, one savepoint a
/// message. Anything that fails is quarantined with its error and never blocks later messages.
/// </summary>
public sealed class MailIngestor(HelpDeskDbContext db, IClock clock, MailSigning signing, RawMailStore store, MailPreparation preparation,
    ApplyInboundMail commands, TicketEventPublisher publisher, ILogger<MailIngestor> logger)
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
        var (toProcess, copies) = await store.StoreBatchAsync(mailbox, mails, outcomes, ct);
        var processed = await ProcessRowsAsync(toProcess.Select(p => p.Row).ToList(), ct);
        for (var k = 0; k < toProcess.Count; k++) outcomes[toProcess[k].Index] = processed[k];
        // A message repeated inside one batch: the later copies are duplicates of what the first became.
        foreach (var (copy, first, messageId) in copies)
            outcomes[copy] = new MailOutcome(MailOutcome.Duplicate, outcomes[first].Ticket, outcomes[first].Article, $"Message-ID {messageId} was already received");
        return outcomes;
    }

    /// <inheritdoc cref="RawMailStore.RecordOversizedAsync"/>
    public Task<MailOutcome> RecordOversizedAsync(string mailbox, string? messageId, long size, string source, CancellationToken ct) =>
        store.RecordOversizedAsync(mailbox, messageId, size, source, ct);

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
        var outcome = (await ReprocessAsync([inboundId], ct))[0].Outcome;
        return outcome.Outcome == MailOutcome.NotFound ? throw new NotFoundException($"There is no inbound mail {inboundId}.") : outcome;
    }

    /// <summary>
    /// Processes stored or quarantined messages again from their raw bytes, in batches of <see cref="MaxBatch"/>: an outcome
    /// for each distinct id, in the order given. Idempotent: a message already processed (here, or by another node
    /// meanwhile) is a duplicate and never applied twice; a discarded one stays discarded; one that fails again stays
    /// quarantined with its new reason.
    /// </summary>
    public async Task<IReadOnlyList<(Guid Id, MailOutcome Outcome)>> ReprocessAsync(IReadOnlyList<Guid> inboundIds, CancellationToken ct)
    {
        var ids = inboundIds.Distinct().ToList();
        var outcomes = new MailOutcome?[ids.Count];
        foreach (var chunk in ids.Select((id, k) => (Index: k, Id: id)).Chunk(MaxBatch))
        {
            var wanted = chunk.Select(c => c.Id).ToList();
            var rows = await db.Set<InboundMail>().AsNoTracking().Where(m => wanted.Contains(m.Id))
                .Select(m => new { m.Id, m.State, m.TicketNumber, m.ArticleId, m.Reason, m.ReasonCode, m.DiscardedBy, HasRaw = m.Raw.Length > 0 })
                .ToDictionaryAsync(m => m.Id, ct);
            foreach (var (k, id) in chunk)
                outcomes[k] = !rows.TryGetValue(id, out var row) ? new MailOutcome(MailOutcome.NotFound, null, null, $"there is no inbound mail {id}")
                    : row.State == InboundState.Processed ? new MailOutcome(MailOutcome.Duplicate, row.TicketNumber, row.ArticleId, "already processed")
                    : row.State == InboundState.Discarded ? new MailOutcome(MailOutcome.Discarded, null, null, $"discarded by {row.DiscardedBy}")
                    : !row.HasRaw ? new MailOutcome(MailOutcome.Quarantined, null, null, row.Reason ?? "no raw bytes were stored", row.ReasonCode)
                    : null;
            var due = chunk.Where(c => outcomes[c.Index] is null).ToList();
            var done = await ProcessStoredAsync(due.Select(c => c.Id).ToList(), ct);
            for (var k = 0; k < due.Count; k++) outcomes[due[k].Index] = done[k];
        }
        return ids.Select((id, k) => (id, outcomes[k]!)).ToList();
    }

    /// <summary>
    /// Processes stored rows (detached) as one unit of work. Preparation, pure CPU work bounded by timeouts, runs in
    /// parallel first; then each message's command runs in order under a savepoint: a message that throws is rolled back
    /// to its savepoint and quarantined with the error, a concurrency conflict is retried from the raw bytes. Ticket
    /// events are published after the commit. A transient failure retries the whole batch (ADR 0009): every attempt
    /// starts from the rows as they were before the first (cycle stops noted by a rolled-back attempt are forgotten by
    /// <see cref="Application.Telemetry.PendingCycleStops"/>, which follows the transaction).
    /// </summary>
    private async Task<IReadOnlyList<MailOutcome>> ProcessRowsAsync(IReadOnlyList<InboundMail> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var key = await signing.KeyAsync(db, ct);
        var prepared = await preparation.PrepareAsync(rows, key, ct);
        var before = rows.Select(RowState.Of).ToList();
        var (outcomes, touched) = await db.InTransactionAsync(async ct =>
        {
            for (var k = 0; k < rows.Count; k++) before[k].ApplyTo(rows[k]);
            var tx = db.Database.CurrentTransaction!;
            var outcomes = new MailOutcome[rows.Count];
            var touched = new List<Ticket>();
            for (var k = 0; k < rows.Count; k++)
            {
                for (var attempt = 1; ; attempt++)
                {
                    db.ChangeTracker.Clear();
                    await tx.CreateSavepointAsync(Savepoint, ct);
                    var row = rows[k];
                    db.Attach(row);
                    try
                    {
                        if (!await ClaimAsync(row, ct))
                        {
                            // Another node processed it meanwhile (an IMAP fetch repeated after a lease takeover, a
                            // reprocess beside a resume): its outcome stands, nothing is applied twice.
                            await RollBackAsync(tx, row, ct);
                            await tx.ReleaseSavepointAsync(Savepoint, ct);
                            outcomes[k] = new MailOutcome(MailOutcome.Duplicate, row.TicketNumber, row.ArticleId, "already processed");
                            break;
                        }
                        if (prepared[k].Error is { } error) throw error;
                        var (outcome, ticket) = await commands.ApplyAsync(row, prepared[k], key, ct);
                        await db.SaveChangesAsync(ct);
                        await tx.ReleaseSavepointAsync(Savepoint, ct);
                        outcomes[k] = outcome;
                        if (ticket is not null) touched.Add(ticket);
                        break;
                    }
                    catch (Exception ex) when ((ex is ConcurrencyConflict or DbUpdateConcurrencyException
                                                || ex is DbUpdateException update && TicketCreation.IsNewRequesterRace(update)) && attempt < 4)
                    {
                        // Someone changed the ticket, or created this sender as a customer, at the same moment: start this
                        // message again from its raw bytes.
                        await RollBackAsync(tx, row, ct);
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

    /// <summary>
    /// Takes the row for this unit of work: a conditional write on the state it was read in, which locks the row until
    /// commit. A second node processing the same row waits for the first one's commit and then finds the state moved on
    /// (PostgreSQL and SQL Server re-check the condition; SQLite's single writer makes the second unit start again).
    /// </summary>
    private async Task<bool> ClaimAsync(InboundMail row, CancellationToken ct)
    {
        var (id, state) = (row.Id, row.State);
        // A row read after another node finished it is done, whatever this node meant to do with it.
        if (state == InboundState.Processed) return false;
        return await db.Set<InboundMail>().Where(m => m.Id == id && m.State == state)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.State, state), ct) == 1;
    }

    /// <summary>What processing changes on an inbound row (the rest is as stored).</summary>
    private sealed record RowState(InboundState State, string? Outcome, string? Reason, string? ReasonCode, int? TicketNumber, Guid? ArticleId,
        Instant? ProcessedAt, int Attempts)
    {
        public static RowState Of(InboundMail row) =>
            new(row.State, row.Outcome, row.Reason, row.ReasonCode, row.TicketNumber, row.ArticleId, row.ProcessedAt, row.Attempts);

        public void ApplyTo(InboundMail row) =>
            (row.State, row.Outcome, row.Reason, row.ReasonCode, row.TicketNumber, row.ArticleId, row.ProcessedAt, row.Attempts) =
            (State, Outcome, Reason, ReasonCode, TicketNumber, ArticleId, ProcessedAt, Attempts);
    }

    private async Task RollBackAsync(IDbContextTransaction tx, InboundMail row, CancellationToken ct)
    {
        await tx.RollbackToSavepointAsync(Savepoint, ct);
        db.ChangeTracker.Clear();
        // The row object may carry this attempt's changes; the database has the stored state again.
        RowState.Of(await db.Set<InboundMail>().AsNoTracking().SingleAsync(m => m.Id == row.Id, ct)).ApplyTo(row);
    }

    private async Task<MailOutcome> QuarantineAsync(InboundMail row, Exception ex, CancellationToken ct)
    {
        // What a damaged message says is stored as printable text: a NUL in its subject or in an error would make
        // PostgreSQL refuse the quarantine itself (found by the fuzzer, docs/reliability.md).
        var reason = StoredText.Printable($"{ex.GetType().Name}: {ex.Message}")!;
        if (reason.Length > 1900) reason = reason[..1900];
        db.Attach(row);
        row.State = InboundState.Quarantined;
        row.Outcome = MailOutcome.Quarantined;
        row.Reason = reason;
        row.ReasonCode = UnusableMail.ReasonOf(ex);
        var (sender, subject) = QuarantineTriage.HeadersOf(row.Raw);
        (row.Sender, row.Subject) = (StoredText.Printable(sender), StoredText.Printable(subject));
        row.ProcessedAt = clock.GetCurrentInstant();
        row.Attempts++;
        await db.SaveChangesAsync(ct);
        db.ChangeTracker.Clear();
        logger.LogWarning("Inbound mail {Id} ({Mailbox}) quarantined ({Code}): {Reason}", row.Id, row.Mailbox, row.ReasonCode, reason);
        return new MailOutcome(MailOutcome.Quarantined, null, null, reason, row.ReasonCode);
    }
}
