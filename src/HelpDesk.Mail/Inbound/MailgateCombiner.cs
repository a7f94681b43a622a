using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Mail.Inbound;

/// <summary>
/// Group commit for the mailgate hand-off. An MTA delivers several messages at once (one pipe process each); instead
/// of paying two commits per message, whoever finds the ingestion idle takes everything waiting (up to
/// <see cref="MailIngestor.MaxBatch"/>) and ingests it as one batch, while later arrivals queue for the next turn. A
/// message alone is ingested at once: nobody waits for company. Each caller gets its own message's outcome; a failure
/// of the store fails every caller of that batch (their mailgates exit 75 and the MTA retries).
/// </summary>
public sealed class MailgateCombiner(IServiceScopeFactory scopes)
{
    private sealed record Pending(string Mailbox, IncomingMail Mail, TaskCompletionSource<MailOutcome> Done);

    private readonly ConcurrentQueue<Pending> _waiting = new();
    private readonly SemaphoreSlim _turn = new(1, 1);

    public async Task<MailOutcome> IngestAsync(string mailbox, byte[] raw, string source, CancellationToken ct)
    {
        var mine = new Pending(mailbox, new IncomingMail(raw, source), new TaskCompletionSource<MailOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
        _waiting.Enqueue(mine);
        while (!mine.Done.Task.IsCompleted)
        {
            try
            {
                await _turn.WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                // The caller left before its turn: its message is dropped from the queue (the MTA got no answer and retries).
                mine.Done.TrySetCanceled(ct);
                throw;
            }
            try
            {
                if (mine.Done.Task.IsCompleted) break;
                var batch = new List<Pending>();
                while (batch.Count < MailIngestor.MaxBatch && _waiting.TryDequeue(out var next))
                    if (!next.Done.Task.IsCompleted) batch.Add(next);
                // Not the caller's token: a batch carries other callers' mail and is finished even if this caller left.
                await IngestAsync(batch);
            }
            finally
            {
                _turn.Release();
            }
        }
        return await mine.Done.Task;
    }

    private async Task IngestAsync(List<Pending> batch)
    {
        if (batch.Count == 0) return;
        foreach (var group in batch.GroupBy(p => p.Mailbox))
        {
            var items = group.ToList();
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var outcomes = await scope.ServiceProvider.GetRequiredService<MailIngestor>()
                    .IngestBatchAsync(group.Key, items.Select(p => p.Mail).ToList(), CancellationToken.None);
                for (var i = 0; i < items.Count; i++) items[i].Done.TrySetResult(outcomes[i]);
            }
            catch (Exception ex)
            {
                foreach (var p in items) p.Done.TrySetException(ex);
            }
        }
    }
}
