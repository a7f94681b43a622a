using System.Text.RegularExpressions;
using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Mail.Inbound;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Mail.Mailboxes;

/// <summary>IMAP settings as the API shows them: the password only as whether one is stored.</summary>
public sealed record ImapSettingsDto(string Host, int Port, bool UseTls, string Username, bool PasswordSet, string Folder, string? Team);

/// <summary>SMTP settings as the API shows them.</summary>
public sealed record SmtpSettingsDto(string? Host, int Port, bool UseTls, string? Username, bool PasswordSet);

/// <summary>How fetching goes: <paramref name="State"/> is ok, error, never_fetched or disabled; <paramref name="LagSeconds"/> is the time since the last successful pass.</summary>
public sealed record MailboxStatusDto(string State, Instant? LastFetchAt, double? LagSeconds, Instant? LastErrorAt, string? LastError, int Failures);

/// <summary>
/// A mailbox. <paramref name="Source"/> is <c>database</c> (editable; <paramref name="Id"/> a GUID, <paramref name="Version"/> its ETag)
/// or <c>configuration</c> (read-only; id <c>configuration:{name}</c>).
/// </summary>
public sealed record MailboxDto(string Id, string Name, string Source, bool ReadOnly, bool Enabled, ImapSettingsDto Imap, SmtpSettingsDto? Smtp,
    MailboxStatusDto Status, int? Version, Instant? UpdatedAt, string? UpdatedBy);

/// <summary>IMAP settings to write. A null password keeps the stored one, an empty one removes it.</summary>
public sealed record ImapSettingsWrite(string? Host = null, int? Port = null, bool? UseTls = null, string? Username = null, string? Password = null,
    string? Folder = null, string? Team = null);

/// <summary>SMTP settings to write; a null or empty host means the mailbox sends nothing. Passwords as for IMAP.</summary>
public sealed record SmtpSettingsWrite(string? Host = null, int? Port = null, bool? UseTls = null, string? Username = null, string? Password = null);

/// <summary>A mailbox to create, to replace (PUT: what is left out takes its default, except passwords) or to test.</summary>
public sealed record MailboxWrite(string? Name = null, bool? Enabled = null, ImapSettingsWrite? Imap = null, SmtpSettingsWrite? Smtp = null);

/// <summary>
/// The admins' mailboxes (docs/email.md, "Mailboxes"): configured ones listed read-only, stored ones created, replaced,
/// disabled and deleted with their version as ETag, passwords encrypted with <see cref="MailboxSecrets"/> and never
/// shown. Leads may read; only admins write or test. Every change wakes this node's fetchers (<see cref="MailboxChanges"/>).
/// </summary>
public sealed partial class MailboxAdmin(HelpDeskDbContext db, Caller caller, IClock clock, IOptions<MailOptions> options, MailboxSecrets secrets,
    MailboxChanges changes)
{
    public const string ConfigurationSource = "configuration";
    public const string DatabaseSource = "database";
    private const string ConfigurationIdPrefix = "configuration:";

    public async Task<IReadOnlyList<MailboxDto>> ListAsync(CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Lead, ct);
        var statuses = await db.Set<MailboxStatus>().AsNoTracking().ToDictionaryAsync(s => s.Name, ct);
        var stored = await db.Set<StoredMailbox>().AsNoTracking().OrderBy(m => m.Name).ToListAsync(ct);
        var now = clock.GetCurrentInstant();
        return options.Value.Imap.Select(m => Configured(m, statuses.GetValueOrDefault(m.Name), now))
            .Concat(stored.Select(m => Stored(m, statuses.GetValueOrDefault(m.Name), now))).ToList();
    }

    public async Task<MailboxDto> GetAsync(string id, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Lead, ct);
        var now = clock.GetCurrentInstant();
        if (ConfiguredById(id) is { } configured)
            return Configured(configured, await db.Set<MailboxStatus>().AsNoTracking().SingleOrDefaultAsync(s => s.Name == configured.Name, ct), now);
        var m = await FindAsync(id, tracked: false, ct);
        return Stored(m, await db.Set<MailboxStatus>().AsNoTracking().SingleOrDefaultAsync(s => s.Name == m.Name, ct), now);
    }

    public async Task<MailboxDto> CreateAsync(MailboxWrite write, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Admin, ct);
        var by = (await caller.RequireAgentAsync(ct)).Email;
        var failures = ValidateName(write.Name).ToList();
        var name = write.Name?.Trim() ?? "";
        if (failures.Count == 0 && await db.Set<StoredMailbox>().AnyAsync(m => m.Name == name, ct))
            failures.Add(new ValidationFailure("name", $"A mailbox called '{name}' exists already."));
        var now = clock.GetCurrentInstant();
        var row = new StoredMailbox { Id = Guid.NewGuid(), Name = name, CreatedAt = now };
        failures.AddRange(await ApplyAsync(row, write, ct));
        Refuse(failures);
        row.Version = 1;
        row.UpdatedAt = now;
        row.UpdatedBy = by;
        db.Add(row);
        await db.SaveChangesAsync(ct);
        changes.Notify();
        return Stored(row, null, now);
    }

    /// <summary>Replaces a stored mailbox's settings; <paramref name="ifMatch"/> must be its current version.</summary>
    public async Task<MailboxDto> UpdateAsync(string id, string? ifMatch, MailboxWrite write, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Admin, ct);
        var by = (await caller.RequireAgentAsync(ct)).Email;
        var row = await WritableAsync(id, ifMatch, ct);
        var failures = new List<ValidationFailure>();
        if (write.Name is not null && write.Name.Trim() != row.Name)
            failures.Add(new ValidationFailure("name", "A mailbox keeps its name (it scopes the duplicate check of its mail); create a new one instead."));
        failures.AddRange(await ApplyAsync(row, write, ct));
        Refuse(failures);
        row.Version++;
        row.UpdatedAt = clock.GetCurrentInstant();
        row.UpdatedBy = by;
        await db.SaveChangesAsync(ct);
        changes.Notify();
        return Stored(row, await db.Set<MailboxStatus>().AsNoTracking().SingleOrDefaultAsync(s => s.Name == row.Name, ct), row.UpdatedAt);
    }

    /// <summary>Deletes a stored mailbox (its fetcher stops; the mail it brought stays).</summary>
    public async Task DeleteAsync(string id, string? ifMatch, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Admin, ct);
        var row = await WritableAsync(id, ifMatch, ct);
        db.Remove(row);
        await db.Set<MailboxStatus>().Where(s => s.Name == row.Name).ExecuteDeleteAsync(ct);
        await db.SaveChangesAsync(ct);
        changes.Notify();
    }

    /// <summary>Tests a mailbox's IMAP and SMTP settings: the saved ones (<paramref name="id"/>), with <paramref name="overrides"/> applied when given, or unsaved ones alone.</summary>
    public async Task<ConnectionTestResult> TestAsync(string? id, MailboxWrite? overrides, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Admin, ct);
        ImapMailboxOptions imap;
        SmtpOptions smtp;
        if (id is not null && ConfiguredById(id) is { } configured)
        {
            imap = configured;
            smtp = new SmtpOptions();
        }
        else
        {
            var row = id is null ? new StoredMailbox { Name = "test" } : await FindAsync(id, tracked: false, ct);
            if (overrides is not null)
            {
                var failures = (await ApplyAsync(row, overrides, ct)).Where(f => !f.PropertyName.StartsWith("imap.team", StringComparison.Ordinal)).ToList();
                Refuse(failures);
            }
            imap = MailboxDirectory.Imap(row, secrets.Unprotect(row.ImapPasswordProtected, out _));
            smtp = MailboxDirectory.Smtp(row, secrets.Unprotect(row.SmtpPasswordProtected, out _));
        }
        var imapResult = ConnectionTester.TestImapAsync(imap, ConnectionTester.DefaultTimeout, ct);
        var smtpResult = ConnectionTester.TestSmtpAsync(smtp, ConnectionTester.DefaultTimeout, ct);
        return new ConnectionTestResult(await imapResult, await smtpResult);
    }

    private async Task<StoredMailbox> WritableAsync(string id, string? ifMatch, CancellationToken ct)
    {
        if (ConfiguredById(id) is not null)
            throw new ForbiddenException("This mailbox is set in the configuration file and is read-only here; change the file, or create a mailbox in the database instead.");
        var row = await FindAsync(id, tracked: true, ct);
        EntityTags.Require(ifMatch, row.Version, $"mailbox '{row.Name}'", required: true);
        return row;
    }

    private async Task<StoredMailbox> FindAsync(string id, bool tracked, CancellationToken ct)
    {
        var query = tracked ? db.Set<StoredMailbox>() : db.Set<StoredMailbox>().AsNoTracking();
        return Guid.TryParse(id, out var guid) && await query.SingleOrDefaultAsync(m => m.Id == guid, ct) is { } row
            ? row : throw new NotFoundException($"There is no mailbox {id}.");
    }

    private ImapMailboxOptions? ConfiguredById(string id) =>
        id.StartsWith(ConfigurationIdPrefix, StringComparison.Ordinal) ? options.Value.Imap.FirstOrDefault(m => m.Name == id[ConfigurationIdPrefix.Length..])
            ?? throw new NotFoundException($"There is no mailbox {id}.") : null;

    private IEnumerable<ValidationFailure> ValidateName(string? name)
    {
        var n = name?.Trim() ?? "";
        if (!NamePattern().IsMatch(n))
            yield return new ValidationFailure("name", "1 to 100 letters, digits, '.', '_' or '-', starting with a letter or digit.");
        else if (n == MailIngestor.MailgateMailbox || options.Value.Imap.Any(m => m.Name == n))
            yield return new ValidationFailure("name", $"'{n}' is taken by {(n == MailIngestor.MailgateMailbox ? "piped mail" : "a mailbox of the configuration file")}.");
    }

    // Copies the write onto the row (passwords encrypted); returns what is wrong, each failure naming its field.
    private async Task<List<ValidationFailure>> ApplyAsync(StoredMailbox row, MailboxWrite write, CancellationToken ct)
    {
        var failures = new List<ValidationFailure>();
        var imap = write.Imap ?? new ImapSettingsWrite();
        row.Enabled = write.Enabled ?? true;
        row.ImapHost = imap.Host?.Trim() ?? "";
        row.ImapUseTls = imap.UseTls ?? true;
        row.ImapPort = imap.Port ?? (row.ImapUseTls ? 993 : 143);
        row.ImapUsername = imap.Username?.Trim() ?? "";
        row.Folder = string.IsNullOrWhiteSpace(imap.Folder) ? "INBOX" : imap.Folder.Trim();
        row.Team = string.IsNullOrWhiteSpace(imap.Team) ? null : imap.Team.Trim().ToLowerInvariant();
        if (imap.Password is not null) row.ImapPasswordProtected = secrets.Protect(imap.Password);
        if (!HostPattern().IsMatch(row.ImapHost)) failures.Add(new ValidationFailure("imap.host", "A host name or IP address."));
        if (row.ImapPort is < 1 or > 65535) failures.Add(new ValidationFailure("imap.port", "A port from 1 to 65535."));
        if (row.ImapUsername.Length is 0 or > 254) failures.Add(new ValidationFailure("imap.username", "The user name to sign in with (at most 254 characters)."));
        if (row.Folder.Length > 200) failures.Add(new ValidationFailure("imap.folder", "At most 200 characters."));
        if (row.Team is { } team && !await db.Teams.AnyAsync(t => t.Name == team, ct))
            failures.Add(new ValidationFailure("imap.team", $"There is no team '{team}'."));
        var smtp = write.Smtp;
        row.SmtpHost = string.IsNullOrWhiteSpace(smtp?.Host) ? null : smtp.Host.Trim();
        row.SmtpUseTls = smtp?.UseTls ?? true;
        row.SmtpPort = smtp?.Port ?? (row.SmtpUseTls ? 587 : 25);
        row.SmtpUsername = string.IsNullOrWhiteSpace(smtp?.Username) ? null : smtp.Username.Trim();
        if (smtp?.Password is not null) row.SmtpPasswordProtected = secrets.Protect(smtp.Password);
        if (row.SmtpHost is { } host && !HostPattern().IsMatch(host)) failures.Add(new ValidationFailure("smtp.host", "A host name or IP address."));
        if (row.SmtpPort is < 1 or > 65535) failures.Add(new ValidationFailure("smtp.port", "A port from 1 to 65535."));
        if (row.SmtpUsername is { Length: > 254 }) failures.Add(new ValidationFailure("smtp.username", "At most 254 characters."));
        foreach (var (field, password) in new[] { ("imap.password", imap.Password), ("smtp.password", smtp?.Password) })
            if (password is { Length: > 1000 }) failures.Add(new ValidationFailure(field, "At most 1000 characters."));
        return failures;
    }

    private static MailboxDto Configured(ImapMailboxOptions m, MailboxStatus? status, Instant now) =>
        new(ConfigurationIdPrefix + m.Name, m.Name, ConfigurationSource, ReadOnly: true, Enabled: m.Host.Length > 0,
            new ImapSettingsDto(m.Host, m.Port, m.UseTls, m.Username, !string.IsNullOrEmpty(m.Password), m.Folder, m.Team), Smtp: null,
            Status(m.Host.Length > 0, status, now), Version: null, UpdatedAt: null, UpdatedBy: null);

    private static MailboxDto Stored(StoredMailbox m, MailboxStatus? status, Instant now) =>
        new(m.Id.ToString(), m.Name, DatabaseSource, ReadOnly: false, m.Enabled,
            new ImapSettingsDto(m.ImapHost, m.ImapPort, m.ImapUseTls, m.ImapUsername, m.ImapPasswordProtected is not null, m.Folder, m.Team),
            new SmtpSettingsDto(m.SmtpHost, m.SmtpPort, m.SmtpUseTls, m.SmtpUsername, m.SmtpPasswordProtected is not null),
            Status(m.Enabled, status, now), m.Version, m.UpdatedAt, m.UpdatedBy);

    public static MailboxStatusDto Status(bool enabled, MailboxStatus? s, Instant now) => new(
        !enabled ? "disabled" : s is { Failures: > 0 } ? "error" : s?.LastFetchAt is null ? "never_fetched" : "ok",
        s?.LastFetchAt, s?.LastFetchAt is { } at ? Math.Round((now - at).TotalSeconds, 1) : null, s?.LastErrorAt, s?.LastError, s?.Failures ?? 0);

    private static void Refuse(List<ValidationFailure> failures)
    {
        if (failures.Count > 0) throw new ValidationException(failures);
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[?[0-9A-Fa-f:.]+\]?$")]
    private static partial Regex HostPattern();
}
