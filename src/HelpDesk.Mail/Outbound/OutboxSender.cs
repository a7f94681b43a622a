using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Mailboxes;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;
using NodaTime;

namespace HelpDesk.Mail.Outbound;

/// <summary>
/// Sends the outbox over SMTP while this node holds the <c>mail-outbox</c> lease. A row is marked sent only after the
/// server accepted it; a failure schedules a retry with exponential back-off. The row id is the delivery id in the
/// Message-ID, so a retry after a crash between "accepted" and "marked" repeats the same message (same Message-ID,
/// which receivers deduplicate) rather than sending a different one. The lease is renewed between mails of a long pass
/// and the pass stops when it was lost, so two nodes never work through the same rows: after a holder dies, at most
/// the one mail it had in flight is sent again.
/// </summary>
public sealed class OutboxSender(IServiceScopeFactory scopes, OutboxSignal signal, IOptions<MailOptions> options, IClock clock,
    IOptions<LeaseOptions> leases, MailboxDirectory mailboxes, ILogger<OutboxSender> logger) : BackgroundService
{
    public const string LeaseName = "mail-outbox";
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);
    private readonly HeldLease _lease = new(scopes, LeaseName, leases.Value.Outbox, logger);
    private bool _noServerLogged;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        BackgroundWork.Enter("outbox");
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = _lease.Terms.TakeoverCheck;
            try
            {
                if (await _lease.TryHoldAsync(stoppingToken))
                {
                    wait = _lease.Terms.HolderWait(Recheck);
                    await SendDueAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogError("Outbox pass failed: {Error}", ex.Message);
            }
            try { await signal.WaitAsync(wait, stoppingToken); }
            catch (OperationCanceledException) { break; }
        }
    }

    /// <summary>Sends every due row once; returns how many were sent.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        var now = clock.GetCurrentInstant();
        var due = await db.Set<OutboxMail>().Where(m => m.State == OutboxState.Pending && m.NextAttemptAt <= now)
            .OrderBy(m => m.CreatedAt).Take(50).ToListAsync(ct);
        if (due.Count == 0) return 0;
        // Read on every pass that has work: a mailbox an admin adds or changes applies without a restart.
        var o = await mailboxes.SmtpAsync(ct);
        if (o is null)
        {
            if (!_noServerLogged)
                logger.LogInformation("No SMTP server (HelpDesk:Mail:Smtp:Host, or a mailbox with SMTP settings); {Count} mails wait in the outbox", due.Count);
            _noServerLogged = true;
            return 0;
        }
        _noServerLogged = false;
        var sent = 0;
        using var smtp = new SmtpClient { Timeout = 30_000 };
        try
        {
            await smtp.ConnectAsync(o.Host!, o.Port, o.UseTls ? SecureSocketOptions.Auto : SecureSocketOptions.None, ct);
            if (!string.IsNullOrEmpty(o.Username)) await smtp.AuthenticateAsync(o.Username, o.Password ?? "", ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // The server is down: every due row waits for its next attempt.
            foreach (var row in due) Defer(row, $"cannot connect to the SMTP server: {ex.Message}");
            await db.SaveChangesAsync(ct);
            logger.LogWarning("SMTP server unavailable ({Error}); {Count} mails wait in the outbox", ex.Message, due.Count);
            return 0;
        }
        foreach (var row in due)
        {
            if (!await _lease.KeepAsync(ct))
            {
                logger.LogWarning("Outbox lease lost during a pass; another node sends the rest");
                break;
            }
            try
            {
                await smtp.SendAsync(Compose(row), ct);
                row.State = OutboxState.Sent;
                row.SentAt = clock.GetCurrentInstant();
                row.LastError = null;
                sent++;
            }
            catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500)
            {
                row.State = OutboxState.Failed;
                row.Attempts++;
                row.LastError = $"refused: {(int)ex.StatusCode} {ex.Message}";
                logger.LogWarning("Outbox mail {Id} refused permanently: {Error}", row.Id, ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                Defer(row, ex.Message);
            }
            await db.SaveChangesAsync(ct);
        }
        try { await smtp.DisconnectAsync(true, ct); } catch (Exception ex) when (ex is not OperationCanceledException) { }
        return sent;
    }

    private void Defer(OutboxMail row, string error)
    {
        row.Attempts++;
        var o = options.Value;
        var seconds = Math.Min(o.RetryMaxSeconds, o.RetryBaseSeconds * Math.Pow(2, Math.Min(row.Attempts - 1, 20)));
        row.NextAttemptAt = clock.GetCurrentInstant() + Duration.FromSeconds(seconds);
        row.LastError = error.Length > 1900 ? error[..1900] : error;
    }

    /// <summary>The MIME message for an outbox row: the same bytes on every attempt except the Date.</summary>
    public MimeMessage Compose(OutboxMail row)
    {
        var o = options.Value;
        var message = new MimeMessage { MessageId = row.MessageId, Subject = row.Subject, Date = clock.GetCurrentInstant().ToDateTimeOffset() };
        message.From.Add(new MailboxAddress("HelpDesk", o.SystemAddress));
        foreach (var to in row.To.Split(',', StringSplitOptions.RemoveEmptyEntries)) message.To.Add(MailboxAddress.Parse(to));
        foreach (var cc in (row.Cc ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)) message.Cc.Add(MailboxAddress.Parse(cc));
        if (row.InReplyTo is { Length: > 0 } irt) message.InReplyTo = irt;
        foreach (var r in (row.References ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)) message.References.Add(r);
        message.Headers.Add(MailClassifier.LoopHeader, o.SystemAddress);
        if (row.IsAutomatic)
        {
            message.Headers.Add("Auto-Submitted", row.Kind == "acknowledgement" ? "auto-replied" : "auto-generated");
            message.Headers.Add("X-Auto-Response-Suppress", "All");
            message.Headers.Add("Precedence", "bulk");
        }
        message.Body = new TextPart("plain") { Text = row.BodyText };
        return message;
    }
}
