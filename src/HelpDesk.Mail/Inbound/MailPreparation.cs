using HelpDesk.Application.Mail;
using Microsoft.Extensions.Options;
using MimeKit;

namespace HelpDesk.Mail.Inbound;

/// <summary>A parsed, classified and extracted message, or why it could not be (then it is quarantined).</summary>
public sealed record PreparedMail(MimeMessage? Message, MailClass Class, ExtractedContent? Content, Exception? Error);

/// <summary>
/// Steps 2 and 3 of email.md before any effect: parse (bounded depth, timed), classify, extract the bodies. Pure CPU
/// work on stored bytes, so a batch prepares its messages in parallel, outside its transaction.
/// </summary>
public sealed class MailPreparation(MailSigning signing, IOptions<MailOptions> options)
{
    /// <summary>
    /// Prepares every row, at most one per core at a time, each under its own timeout. The bodies are extracted before the
    /// ticket number is known: attachment URLs carry a placeholder filled in later (<see cref="ExtractedContent.ForTicket"/>).
    /// </summary>
    public async Task<PreparedMail[]> PrepareAsync(IReadOnlyList<InboundMail> rows, byte[] key, CancellationToken ct)
    {
        var o = options.Value;
        var result = new PreparedMail[rows.Count];
        using var slots = new SemaphoreSlim(Math.Max(1, Environment.ProcessorCount));
        await Task.WhenAll(rows.Select(async (row, k) =>
        {
            await slots.WaitAsync(ct);
            try
            {
                var message = await ParseAsync(row.Raw, ct);
                var cls = MailClassifier.Classify(message, id => signing.Verify(key, id) is not null, o.SystemAddress);
                var content = cls is MailClass.OwnLoop or MailClass.Bounce ? null : await ExtractAsync(message, ct);
                if (content is not null && MailParsing.Preamble(row.Raw) is { } preamble)
                    content = content with { Notes = [.. content.Notes, $"Above the message's headers stood (kept in the raw message): {preamble}"] };
                result[k] = new PreparedMail(message, cls, content, null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                result[k] = new PreparedMail(null, default, null, ex);
            }
            finally
            {
                slots.Release();
            }
        }));
        return result;
    }

    private async Task<MimeMessage> ParseAsync(byte[] raw, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.ParseTimeoutSeconds));
        try
        {
            return await Task.Run(() => MailParsing.Parse(raw, options.Value.MaxMimeDepth, timeout.Token), timeout.Token)
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
}
