using NodaTime;

namespace HelpDesk.Application.Mail;

/// <summary>Where a stored inbound message is in its processing.</summary>
public enum InboundState
{
    /// <summary>Raw bytes are durable; processing has not finished (a crash here is resumed from the raw bytes).</summary>
    Stored = 0,
    Processed = 1,
    Quarantined = 2,
    /// <summary>An admin gave up on a quarantined message: out of the triage list, its raw bytes kept for audit.</summary>
    Discarded = 3,
}

/// <summary>Why a message is quarantined: the class an admin filters the triage list by (docs/email.md, "Quarantine triage").</summary>
public static class QuarantineReason
{
    /// <summary>No From (or Sender) address we could use; an admin may supply one (<see cref="InboundMail.SenderFix"/>).</summary>
    public const string NoSender = "no_sender";
    /// <summary>MIME the parser refused.</summary>
    public const string Unparseable = "unparseable";
    /// <summary>Parsing or reading the bodies took longer than ParseTimeoutSeconds.</summary>
    public const string Timeout = "timeout";
    /// <summary>Over MaxMessageBytes: not downloaded, so there are no raw bytes to process.</summary>
    public const string TooLarge = "too_large";
    /// <summary>The mailbox's team does not exist (configuration).</summary>
    public const string NoTeam = "no_team";
    /// <summary>Another business rule refused the message.</summary>
    public const string Rule = "rule";
    /// <summary>Anything else: a defect to report, with the exception in the detail.</summary>
    public const string Error = "error";

    public static readonly IReadOnlyList<string> All = [NoSender, Unparseable, Timeout, TooLarge, NoTeam, Rule, Error];

    public static string Label(string code) => code switch
    {
        NoSender => "No usable sender",
        Unparseable => "Not readable as MIME",
        Timeout => "Took too long to read",
        TooLarge => "Too large",
        NoTeam => "Mailbox's team missing",
        Rule => "Refused by a rule",
        _ => "Unexpected error",
    };
}

/// <summary>
/// One inbound message exactly as it arrived, stored before anything else is done with it. The unique
/// (mailbox, Message-ID) key makes a second arrival a duplicate.
/// </summary>
public sealed class InboundMail
{
    public Guid Id { get; set; }
    /// <summary>The IMAP mailbox name, or <c>mailgate</c> for piped mail.</summary>
    public string Mailbox { get; set; } = "";
    /// <summary>Normalised Message-ID (trimmed, no angle brackets, case kept); derived from the SHA-256 when absent.</summary>
    public string MessageId { get; set; } = "";
    public string Sha256 { get; set; } = "";
    public byte[] Raw { get; set; } = [];
    public long Size { get; set; }
    /// <summary>Where it came from, e.g. <c>imap:INBOX:1234:7</c> (folder, UIDVALIDITY, UID) or <c>mailgate</c>.</summary>
    public string Source { get; set; } = "";
    public Instant ReceivedAt { get; set; }
    public InboundState State { get; set; }
    /// <summary>created, appended, duplicate, auto_reply, bounce, dropped_loop, quarantined.</summary>
    public string? Outcome { get; set; }
    public string? Reason { get; set; }
    /// <summary>The class of <see cref="Reason"/> while quarantined (<see cref="QuarantineReason"/>).</summary>
    public string? ReasonCode { get; set; }
    /// <summary>The From header as it reads, kept when the message is quarantined (the triage list shows it without the raw bytes).</summary>
    public string? Sender { get; set; }
    /// <summary>The Subject header, kept when the message is quarantined.</summary>
    public string? Subject { get; set; }
    /// <summary>The sender address an admin supplied for a message without a usable one; the raw bytes stay as they came.</summary>
    public string? SenderFix { get; set; }
    /// <summary>The admin who discarded the message (<see cref="InboundState.Discarded"/>).</summary>
    public string? DiscardedBy { get; set; }
    public int? TicketNumber { get; set; }
    public Guid? ArticleId { get; set; }
    public Instant? ProcessedAt { get; set; }
    public int Attempts { get; set; }
}

/// <summary>How far a mailbox folder has been fetched: the last UID stored and acknowledged under a UIDVALIDITY.</summary>
public sealed class MailCheckpoint
{
    /// <summary><c>mailbox/folder</c>.</summary>
    public string Key { get; set; } = "";
    public long UidValidity { get; set; }
    public long LastUid { get; set; }
    public Instant UpdatedAt { get; set; }
}

/// <summary>What the mail channel knows about an article: how it was threaded, its headers, the quote split.</summary>
public sealed class ArticleMail
{
    public Guid ArticleId { get; set; }
    public Guid TicketId { get; set; }
    public Guid? InboundMailId { get; set; }
    /// <summary>Normalised Message-ID of the mail this article came from or went out as.</summary>
    public string MessageId { get; set; } = "";
    /// <summary>signed_token, references, subject_tag, new_ticket, follow_up (closed ticket), possibly_related.</summary>
    public string? ThreadedBy { get; set; }
    /// <summary>normal, auto_reply, bounce, list.</summary>
    public string Classification { get; set; } = "normal";
    public string? ReplyTo { get; set; }
    /// <summary>Index in the body text where the quoted history starts (null: no quote found). Nothing is removed.</summary>
    public int? QuoteStartsAt { get; set; }
    /// <summary>The sanitised HTML with remote images left in, shown only when an agent asks for them.</summary>
    public string? HtmlWithRemoteImages { get; set; }
    public bool RemoteImagesBlocked { get; set; }
    /// <summary>A ticket whose tag was in the subject of a stranger's mail: linked as possibly related, not appended.</summary>
    public int? PossiblyRelatedTo { get; set; }
    /// <summary>Refused attachments and other things the agent should know.</summary>
    public string? Notes { get; set; }
}

/// <summary>A file that came with a message. Refused files keep their metadata and no content.</summary>
public sealed class MailAttachment
{
    public Guid Id { get; set; }
    public Guid ArticleId { get; set; }
    public Guid TicketId { get; set; }
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Size { get; set; }
    public string Sha256 { get; set; } = "";
    public string? ContentId { get; set; }
    public bool Inline { get; set; }
    public byte[]? Content { get; set; }
    public string? RefusedReason { get; set; }
}

public enum OutboxState
{
    Pending = 0,
    Sent = 1,
    /// <summary>Given up (refused permanently by the server, or no recipient left).</summary>
    Failed = 2,
    /// <summary>An admin stopped a pending or failed mail: it is never sent (<c>POST /api/v1/mail/outbox/{id}/cancel</c>).</summary>
    Cancelled = 3,
}

/// <summary>
/// A mail waiting to leave, written in the same transaction as the article or notification it belongs to. Its id is the
/// delivery id inside the Message-ID, so a retry sends the same message again, never a different one.
/// </summary>
public sealed class OutboxMail
{
    public Guid Id { get; set; }
    /// <summary>reply, acknowledgement, notification.</summary>
    public string Kind { get; set; } = "";
    public Guid? TicketId { get; set; }
    public int? TicketNumber { get; set; }
    public Guid? ArticleId { get; set; }
    /// <summary>Recipients, comma-separated normalised addresses.</summary>
    public string To { get; set; } = "";
    public string? Cc { get; set; }
    public string Subject { get; set; } = "";
    public string BodyText { get; set; } = "";
    public string MessageId { get; set; } = "";
    public string? InReplyTo { get; set; }
    /// <summary>Space-separated Message-IDs (without angle brackets), oldest first.</summary>
    public string? References { get; set; }
    public bool IsAutomatic { get; set; }
    public OutboxState State { get; set; }
    public int Attempts { get; set; }
    public Instant NextAttemptAt { get; set; }
    public Instant CreatedAt { get; set; }
    public Instant? SentAt { get; set; }
    public string? LastError { get; set; }
}

/// <summary>A named setting the system keeps for itself (the generated Message-ID signing key).</summary>
public sealed class MailSetting
{
    public string Name { get; set; } = "";
    public string Value { get; set; } = "";
}

/// <summary>An address a permanent (5.x.x) bounce marked undeliverable; automatic mail skips it until then.</summary>
public sealed class UndeliverableAddress
{
    public string Address { get; set; } = "";
    public Instant Until { get; set; }
    public string Reason { get; set; } = "";
}

/// <summary>
/// A mailbox an admin added through the API (docs/email.md, "Mailboxes"): IMAP to fetch from, optionally SMTP to send
/// through. Configuration-file mailboxes (<c>HelpDesk:Mail:Imap</c>) are not rows. Passwords are stored only as ASP.NET Core
/// Data Protection payloads (<see cref="ImapPasswordProtected"/>, <see cref="SmtpPasswordProtected"/>) and never leave
/// the server. <see cref="Version"/> is the ETag and the concurrency token.
/// </summary>
public sealed class StoredMailbox
{
    public Guid Id { get; set; }
    /// <summary>Unique among all mailboxes (also the configured ones); fixed once created: it is the idempotency scope of inbound mail and the lease name.</summary>
    public string Name { get; set; } = "";
    public bool Enabled { get; set; } = true;
    public string ImapHost { get; set; } = "";
    public int ImapPort { get; set; } = 993;
    public bool ImapUseTls { get; set; } = true;
    public string ImapUsername { get; set; } = "";
    public string? ImapPasswordProtected { get; set; }
    public string Folder { get; set; } = "INBOX";
    public string? Team { get; set; }
    /// <summary>No host: this mailbox sends nothing (the configured SMTP server or another mailbox's does).</summary>
    public string? SmtpHost { get; set; }
    public int SmtpPort { get; set; } = 587;
    public bool SmtpUseTls { get; set; } = true;
    public string? SmtpUsername { get; set; }
    public string? SmtpPasswordProtected { get; set; }
    public int Version { get; set; }
    public Instant CreatedAt { get; set; }
    public Instant UpdatedAt { get; set; }
    public string UpdatedBy { get; set; } = "";
}

/// <summary>How a mailbox's fetching goes, written by the node that fetches it (configured and stored mailboxes alike).</summary>
public sealed class MailboxStatus
{
    public string Name { get; set; } = "";
    /// <summary>The end of the last successful pass over the folder.</summary>
    public Instant? LastFetchAt { get; set; }
    public Instant? LastErrorAt { get; set; }
    /// <summary>The exception's message (never a password: MailKit does not put credentials in its messages).</summary>
    public string? LastError { get; set; }
    /// <summary>Failures since the last successful pass.</summary>
    public int Failures { get; set; }
}

/// <summary>One key of the ASP.NET Core Data Protection key ring, shared by every node through the database.</summary>
public sealed class DataProtectionKeyRecord
{
    public int Id { get; set; }
    public string? FriendlyName { get; set; }
    public string Xml { get; set; } = "";
}
