using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Mailboxes;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Mail.Imap;

/// <summary>
/// Fetches one IMAP mailbox while this node holds its lease (<c>mail-imap:{name}</c>): after every (re)connect it
/// resyncs by UID from the checkpoint (a UIDVALIDITY change rescans the folder; idempotency drops what was seen), then
/// waits with IDLE (re-issued every <see cref="MailOptions.IdleSeconds"/>, at most 9 minutes) or polls. Messages go in
/// chunks (up to <see cref="MailIngestor.MaxBatch"/>): size-gated, stored raw in one commit, processed in one more, and
/// only then acknowledged on the server in one command (a keyword; <c>\Seen</c> when the server takes no keywords) and
/// checkpointed. Connection failures reconnect with exponential back-off. A session renews its lease in the background
/// every third of its lifetime (also checked before every IDLE or poll and between chunks) and stops as soon as it was
/// lost; a node without it tries to take it every <see cref="LeaseOptions.TakeoverCheckSeconds"/>.
/// </summary>
public sealed class ImapMailboxFetcher(ImapMailboxOptions mailbox, IServiceScopeFactory scopes, IOptions<MailOptions> options, LeaseTerms leaseTerms,
    IClock clock, ILogger logger)
{
    public const string ProcessedKeyword = "$HelpDeskStored";
    private static readonly TimeSpan MaxIdle = TimeSpan.FromMinutes(9);
    private readonly HeldLease _lease = new(scopes, $"mail-imap:{mailbox.Name}", leaseTerms, logger);

    public string LeaseName => _lease.Name;

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                if (await _lease.TryHoldAsync(ct))
                {
                    await _lease.HoldDuringAsync(SessionAsync, ct);
                    backoff = TimeSpan.FromSeconds(1);
                }
                else await Task.Delay(_lease.Terms.TakeoverCheck, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Only the message: exceptions from authentication never carry the password, but keep logs lean anyway.
                logger.LogWarning("Mailbox {Mailbox}: {Error}; reconnecting in {Delay}", mailbox.Name, ex.Message, backoff);
                await RecordAsync(db => MailboxStatusWriter.FailedAsync(db, mailbox.Name, ex.Message, clock.GetCurrentInstant(), ct));
                try { await Task.Delay(backoff, ct); } catch (OperationCanceledException) { break; }
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromMinutes(2).Ticks));
            }
        }
        await _lease.ReleaseAsync();
    }

    private async Task SessionAsync(CancellationToken ct)
    {
        using var client = new ImapClient { Timeout = 60_000 };
        await client.ConnectAsync(mailbox.Host, mailbox.Port, mailbox.UseTls ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.None, ct);
        await client.AuthenticateAsync(mailbox.Username, mailbox.Password ?? "", ct);
        var folder = string.Equals(mailbox.Folder, "INBOX", StringComparison.OrdinalIgnoreCase) ? client.Inbox : await client.GetFolderAsync(mailbox.Folder, ct);
        await folder.OpenAsync(FolderAccess.ReadWrite, ct);
        await ResumeStoredAsync(ct);
        var idle = _lease.Terms.HolderWait(TimeSpan.FromSeconds(Math.Clamp(options.Value.IdleSeconds, 1, MaxIdle.TotalSeconds)));
        var poll = _lease.Terms.HolderWait(TimeSpan.FromSeconds(options.Value.PollSeconds));
        // Subscribed for the whole session: a message that arrives while we sync (EXISTS in the answer to a FETCH or
        // STORE) must end the next IDLE at once instead of waiting for the re-issue.
        var arrived = 0;
        CancellationTokenSource? done = null;
        void Arrived(object? sender, EventArgs e)
        {
            Interlocked.Exchange(ref arrived, 1);
            try { Volatile.Read(ref done)?.Cancel(); } catch (ObjectDisposedException) { }
        }
        folder.CountChanged += Arrived;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                if (!await _lease.TryHoldAsync(ct)) return;
                Interlocked.Exchange(ref arrived, 0);
                await SyncAsync(folder, ct);
                await RecordAsync(db => MailboxStatusWriter.FetchedAsync(db, mailbox.Name, clock.GetCurrentInstant(), ct));
                if (Volatile.Read(ref arrived) == 1) continue;
                if (client.Capabilities.HasFlag(ImapCapabilities.Idle))
                {
                    using var idleDone = new CancellationTokenSource(idle);
                    Volatile.Write(ref done, idleDone);
                    if (Volatile.Read(ref arrived) == 0) await client.IdleAsync(idleDone.Token, ct);
                    Volatile.Write(ref done, null);
                }
                else
                {
                    await Task.Delay(poll, ct);
                    await client.NoOpAsync(ct);
                }
            }
        }
        finally
        {
            folder.CountChanged -= Arrived;
        }
    }

    // The mailbox's status for the admins (last fetch, last error); a failure to write it must not stop the fetching.
    private async Task RecordAsync(Func<HelpDeskDbContext, Task> write)
    {
        try { await MailboxStatusWriter.WriteAsync(scopes, write); }
        catch (Exception ex)
        {
            if (ex is not OperationCanceledException) logger.LogWarning("Mailbox {Mailbox}: status not written ({Error})", mailbox.Name, ex.Message);
        }
    }

    /// <summary>Fetches every message above the checkpoint. Public for tests that drive one pass.</summary>
    public async Task SyncAsync(IMailFolder folder, CancellationToken ct)
    {
        var key = $"{mailbox.Name}/{folder.FullName}";
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        var checkpoint = await db.Set<MailCheckpoint>().SingleOrDefaultAsync(c => c.Key == key, ct);
        if (checkpoint is null)
        {
            checkpoint = new MailCheckpoint { Key = key, UidValidity = folder.UidValidity };
            db.Add(checkpoint);
        }
        if (checkpoint.UidValidity != folder.UidValidity)
        {
            logger.LogWarning("Mailbox {Mailbox}: UIDVALIDITY changed; rescanning the folder (duplicates are dropped by Message-ID)", mailbox.Name);
            checkpoint.UidValidity = folder.UidValidity;
            checkpoint.LastUid = 0;
        }
        var uids = (await folder.SearchAsync(SearchQuery.Uids(new UniqueIdRange(new UniqueId((uint)checkpoint.LastUid + 1), UniqueId.MaxValue)), ct))
            .Where(u => u.Id > checkpoint.LastUid).ToList();
        if (uids.Count == 0)
        {
            await db.SaveChangesAsync(ct);
            return;
        }
        var summaries = await folder.FetchAsync(uids, MessageSummaryItems.UniqueId | MessageSummaryItems.Size | MessageSummaryItems.Flags | MessageSummaryItems.Envelope, ct);
        var useKeyword = folder.PermanentFlags.HasFlag(MessageFlags.UserDefined) || folder.PermanentKeywords.Contains(ProcessedKeyword);
        foreach (var chunk in Chunks(summaries.OrderBy(s => s.UniqueId.Id)))
        {
            var fresh = chunk.Where(s => s.Keywords?.Contains(ProcessedKeyword) != true).ToList();
            await IngestAsync(folder, fresh, ct);
            // Acknowledge only now, in one command for the chunk: the raw bytes are committed.
            if (fresh.Count > 0)
            {
                var acknowledged = fresh.Select(s => s.UniqueId).ToList();
                if (useKeyword) await folder.StoreAsync(acknowledged, new StoreFlagsRequest(StoreAction.Add, [ProcessedKeyword]) { Silent = true }, ct);
                else await folder.StoreAsync(acknowledged, new StoreFlagsRequest(StoreAction.Add, MessageFlags.Seen) { Silent = true }, ct);
            }
            checkpoint.LastUid = chunk[^1].UniqueId.Id;
            checkpoint.UpdatedAt = clock.GetCurrentInstant();
            await db.SaveChangesAsync(ct);
            if (!await _lease.KeepAsync(ct)) return;
        }
    }

    // Downloads a chunk (oversized messages are recorded, not downloaded) and hands it to the ingestion as one batch.
    private async Task IngestAsync(IMailFolder folder, IReadOnlyList<IMessageSummary> fresh, CancellationToken ct)
    {
        if (fresh.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var ingestor = scope.ServiceProvider.GetRequiredService<MailIngestor>();
        var downloaded = new List<(uint Uid, IncomingMail Mail)>();
        foreach (var summary in fresh)
        {
            var uid = summary.UniqueId;
            var source = $"imap:{folder.FullName}:{folder.UidValidity}:{uid.Id}";
            if (summary.Size is { } size && size > options.Value.MaxMessageBytes)
            {
                await ingestor.RecordOversizedAsync(mailbox.Name, summary.Envelope?.MessageId, size, source, ct);
                continue;
            }
            using var stream = await folder.GetStreamAsync(uid, "", ct);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct);
            downloaded.Add((uid.Id, new IncomingMail(buffer.ToArray(), source)));
        }
        if (downloaded.Count == 0) return;
        var outcomes = await ingestor.IngestBatchAsync(mailbox.Name, downloaded.Select(d => d.Mail).ToList(), ct);
        for (var i = 0; i < downloaded.Count; i++)
            logger.LogInformation("Mailbox {Mailbox} UID {Uid}: {Outcome} {Ticket}", mailbox.Name, downloaded[i].Uid, outcomes[i].Outcome, outcomes[i].Ticket);
    }

    // At most MaxBatch messages and about 32 MiB of mail per batch (sizes as the server announced them).
    private static IEnumerable<List<IMessageSummary>> Chunks(IEnumerable<IMessageSummary> ordered)
    {
        const long maxBytes = 32L * 1024 * 1024;
        var chunk = new List<IMessageSummary>();
        long bytes = 0;
        foreach (var s in ordered)
        {
            if (chunk.Count > 0 && (chunk.Count >= MailIngestor.MaxBatch || bytes + (s.Size ?? 0) > maxBytes))
            {
                yield return chunk;
                chunk = [];
                bytes = 0;
            }
            chunk.Add(s);
            bytes += (long)(s.Size ?? 0);
        }
        if (chunk.Count > 0) yield return chunk;
    }

    // Raw stored by an earlier run that died before finishing: process it now (it is acknowledged on the next resync).
    private async Task ResumeStoredAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        var ids = await db.Set<InboundMail>().Where(m => m.Mailbox == mailbox.Name && m.State == InboundState.Stored)
            .OrderBy(m => m.Id).Select(m => m.Id).ToListAsync(ct);
        var ingestor = scope.ServiceProvider.GetRequiredService<MailIngestor>();
        foreach (var chunk in ids.Chunk(MailIngestor.MaxBatch)) await ingestor.ProcessStoredAsync(chunk, ct);
    }
}

