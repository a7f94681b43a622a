namespace HelpDesk.Application.Mail;

/// <summary>
/// <c>HelpDesk:Mail</c> configuration (see appsettings.example.json). Environment variables override the file, e.g.
/// <c>HelpDesk__Mail__Smtp__Password</c>. Secrets (passwords, the signing key) are never logged.
/// </summary>
public sealed class MailOptions
{
    public const string Section = "HelpDesk:Mail";

    /// <summary>The address customers write to and our mail comes from; its domain is the domain of our Message-IDs.</summary>
    public string SystemAddress { get; set; } = "support@helpdesk.invalid";
    /// <summary>Key for the HMAC in our Message-IDs. When absent one is generated and kept in the database.</summary>
    public string? SigningKey { get; set; }
    public SmtpOptions Smtp { get; set; } = new();
    public List<ImapMailboxOptions> Imap { get; set; } = [];
    /// <summary>Copied from <c>HelpDesk:PublicBaseUrl</c>: links in mail and attachment URLs.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Where <c>helpdesk mailgate</c> hands messages to the running server (e.g. http://127.0.0.1:5000); empty: it stores them itself.</summary>
    public string? MailgateUrl { get; set; }

    /// <summary>
    /// A shared secret the mailgate sends (header X-Mailgate-Secret) so the server accepts its hand-off from another host
    /// or through a proxy; without it only unforwarded loopback connections are trusted.
    /// </summary>
    public string? MailgateSecret { get; set; }

    public long MaxMessageBytes { get; set; } = 25 * 1024 * 1024;
    public long MaxAttachmentBytes { get; set; } = 10 * 1024 * 1024;
    public int MaxMimeDepth { get; set; } = 32;
    public double ParseTimeoutSeconds { get; set; } = 10;
    /// <summary>Automatic answers (acknowledgements, notifications) per recipient per hour.</summary>
    public int AutoAnswersPerHour { get; set; } = 5;
    public double RetryBaseSeconds { get; set; } = 5;
    public double RetryMaxSeconds { get; set; } = 1800;
    /// <summary>Polling interval for servers without IDLE.</summary>
    public double PollSeconds { get; set; } = 30;
    /// <summary>How often every node reads the mailboxes stored in the database again (an admin's change on the same node applies at once).</summary>
    public double ReloadSeconds { get; set; } = 10;
    /// <summary>How long one IDLE lasts before it is re-issued (at most 9 minutes).</summary>
    public double IdleSeconds { get; set; } = 20;

    public string Domain => SystemAddress.Contains('@') ? SystemAddress[(SystemAddress.LastIndexOf('@') + 1)..].Trim().ToLowerInvariant() : "helpdesk.invalid";
}

public sealed class SmtpOptions
{
    /// <summary>No host: outgoing mail stays in the outbox.</summary>
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public bool UseTls { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
}

public sealed class ImapMailboxOptions
{
    /// <summary>Unique name; the idempotency scope and the lease (<c>mail-imap:{Name}</c>).</summary>
    public string Name { get; set; } = "";
    public string Host { get; set; } = "";
    public int Port { get; set; } = 993;
    public bool UseTls { get; set; } = true;
    public string Username { get; set; } = "";
    public string? Password { get; set; }
    public string Folder { get; set; } = "INBOX";
    /// <summary>Team that gets the new tickets of this mailbox (the default team when empty).</summary>
    public string? Team { get; set; }
}
