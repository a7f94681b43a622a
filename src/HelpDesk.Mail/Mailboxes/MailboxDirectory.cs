using System.Security.Cryptography;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Mail.Mailboxes;

/// <summary>
/// Mailbox passwords at rest: ASP.NET Core Data Protection payloads under one purpose, readable by every node sharing
/// the key ring (docs/email.md, "Mailboxes"). A payload that cannot be read (the key ring was lost) reads as no password.
/// </summary>
public sealed class MailboxSecrets(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("HelpDesk.Mail.MailboxPassword.v1");

    public string? Protect(string? password) => string.IsNullOrEmpty(password) ? null : _protector.Protect(password);

    /// <summary>The password, or null when none is stored or the stored one cannot be read.</summary>
    public string? Unprotect(string? stored, out bool unreadable)
    {
        unreadable = false;
        if (string.IsNullOrEmpty(stored)) return null;
        try
        {
            return _protector.Unprotect(stored);
        }
        catch (CryptographicException)
        {
            unreadable = true;
            return null;
        }
    }
}

/// <summary>
/// The mailboxes this node works with: the configuration file's (<c>HelpDesk:Mail:Imap</c>, <c>HelpDesk:Mail:Smtp</c>)
/// and the enabled ones stored in the database, read afresh on every call so an admin's change applies without a restart.
/// </summary>
public sealed class MailboxDirectory(IServiceScopeFactory scopes, IOptions<MailOptions> options, MailboxSecrets secrets,
    StoredMailboxAddresses addresses, IClock clock, ILogger<MailboxDirectory> logger)
{
    /// <summary>Every mailbox to fetch from, configured ones first; refreshes the stored mailboxes' addresses (our own addresses).</summary>
    public async Task<IReadOnlyList<ImapMailboxOptions>> FetchersAsync(CancellationToken ct)
    {
        var configured = options.Value.Imap.Where(m => m.Host.Length > 0).ToList();
        var names = options.Value.Imap.Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        var stored = await db.Set<StoredMailbox>().AsNoTracking().OrderBy(m => m.Name).ToListAsync(ct);
        addresses.Replace(stored.Select(m => m.ImapUsername));
        var fetchers = new List<ImapMailboxOptions>(configured);
        foreach (var m in stored.Where(m => m.Enabled && m.ImapHost.Length > 0 && !names.Contains(m.Name)))
        {
            var password = secrets.Unprotect(m.ImapPasswordProtected, out var unreadable);
            if (unreadable) await ReportUnreadableAsync(db, m.Name, ct);
            fetchers.Add(Imap(m, password));
        }
        return fetchers;
    }

    /// <summary>
    /// The SMTP server outgoing mail leaves through: the configured one, else the first enabled stored mailbox (by name)
    /// with an SMTP host; null when there is none (mail waits in the outbox).
    /// </summary>
    public async Task<SmtpOptions?> SmtpAsync(CancellationToken ct)
    {
        if (options.Value.Smtp.Host is { Length: > 0 }) return options.Value.Smtp;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        var m = await db.Set<StoredMailbox>().AsNoTracking().Where(m => m.Enabled && m.SmtpHost != null && m.SmtpHost != "")
            .OrderBy(m => m.Name).FirstOrDefaultAsync(ct);
        if (m is null) return null;
        var password = secrets.Unprotect(m.SmtpPasswordProtected, out var unreadable);
        if (unreadable) await ReportUnreadableAsync(db, m.Name, ct);
        return Smtp(m, password);
    }

    public static ImapMailboxOptions Imap(StoredMailbox m, string? password) => new()
    {
        Name = m.Name, Host = m.ImapHost, Port = m.ImapPort, UseTls = m.ImapUseTls, Username = m.ImapUsername, Password = password,
        Folder = m.Folder, Team = m.Team,
    };

    public static SmtpOptions Smtp(StoredMailbox m, string? password) => new()
    {
        Host = m.SmtpHost, Port = m.SmtpPort, UseTls = m.SmtpUseTls, Username = m.SmtpUsername, Password = password,
    };

    private async Task ReportUnreadableAsync(HelpDeskDbContext db, string name, CancellationToken ct)
    {
        const string error = "The stored password cannot be read (the Data Protection key ring changed); enter it again.";
        logger.LogWarning("Mailbox {Mailbox}: {Error}", name, error);
        await MailboxStatusWriter.FailedAsync(db, name, error, clock.GetCurrentInstant(), ct);
    }
}

/// <summary>Writes <see cref="MailboxStatus"/> rows: one conditional update, an insert the first time (a lost insert race is ignored).</summary>
public static class MailboxStatusWriter
{
    public static Task FetchedAsync(HelpDeskDbContext db, string name, Instant now, CancellationToken ct) =>
        UpsertAsync(db, name, ct,
            u => u.SetProperty(s => s.LastFetchAt, now).SetProperty(s => s.Failures, 0),
            new MailboxStatus { Name = name, LastFetchAt = now });

    public static Task FailedAsync(HelpDeskDbContext db, string name, string error, Instant now, CancellationToken ct)
    {
        var cut = error.Length > 2000 ? error[..2000] : error;
        return UpsertAsync(db, name, ct,
            u => u.SetProperty(s => s.LastErrorAt, now).SetProperty(s => s.LastError, cut).SetProperty(s => s.Failures, s => s.Failures + 1),
            new MailboxStatus { Name = name, LastErrorAt = now, LastError = cut, Failures = 1 });
    }

    /// <summary>Same, with a scope of its own (background loops).</summary>
    public static async Task WriteAsync(IServiceScopeFactory scopes, Func<HelpDeskDbContext, Task> write)
    {
        await using var scope = scopes.CreateAsyncScope();
        await write(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>());
    }

    private static async Task UpsertAsync(HelpDeskDbContext db, string name, CancellationToken ct,
        Action<Microsoft.EntityFrameworkCore.Query.UpdateSettersBuilder<MailboxStatus>> update, MailboxStatus first)
    {
        if (await db.Set<MailboxStatus>().Where(s => s.Name == name).ExecuteUpdateAsync(update, ct) > 0) return;
        db.Add(first);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node wrote the first row at the same moment; the next pass updates it.
            db.Entry(first).State = EntityState.Detached;
        }
    }
}
