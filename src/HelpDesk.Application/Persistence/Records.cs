using HelpDesk.Domain.Sla;
using NodaTime;

namespace HelpDesk.Application.Persistence;

/// <summary>An agent's console password, hashed with PBKDF2 (ASP.NET Core Identity's hasher format).</summary>
public sealed class AgentCredential
{
    public Guid AgentId { get; set; }
    public string PasswordHash { get; set; } = "";
    /// <summary>
    /// Set when someone else chose the password (the demo seed, an admin, the operator's CLI): the agent's sessions may
    /// do nothing but change it until they have (docs/security.md "Accounts").
    /// </summary>
    public bool MustChange { get; set; }
    public Instant? ChangedAt { get; set; }
}

/// <summary>A bearer token for the API. Only its SHA-256 is stored; the token is shown once.</summary>
public sealed class ApiToken
{
    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public string Name { get; set; } = "";
    public string TokenHash { get; set; } = "";
    public Instant CreatedAt { get; set; }
    public Instant? RevokedAt { get; set; }
    /// <summary>After this instant the token no longer authenticates; null: until revoked.</summary>
    public Instant? ExpiresAt { get; set; }
    /// <summary>When the token last authenticated a request, written at most once a minute (<see cref="Auth.Credentials.LastUsedResolution"/>).</summary>
    public Instant? LastUsedAt { get; set; }
}

/// <summary>
/// A console sign-in. The cookie names it; every request checks it is not ended (and its agent still active), so
/// signing out ends the session on the server and a copied cookie stops working.
/// </summary>
public sealed class AgentSession
{
    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public Instant CreatedAt { get; set; }
    public Instant? EndedAt { get; set; }
}

public enum AccountLinkPurpose { Invite, Reset }

/// <summary>
/// A link mailed to set a password (an invitation or a reset): 256 random bits in the link, only their SHA-256 stored (so the
/// database cannot forge or reveal one), expiring, and used at most once (<see cref="UsedAt"/> set by a conditional update).
/// </summary>
public sealed class AccountLink
{
    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public AccountLinkPurpose Purpose { get; set; }
    public string TokenHash { get; set; } = "";
    public Instant CreatedAt { get; set; }
    public Instant ExpiresAt { get; set; }
    public Instant? UsedAt { get; set; }
}

/// <summary>
/// One admin action or security event (docs/security.md "Audit log"): written in the unit of work of the change it
/// records (<see cref="Audit.AuditTrail"/>), never updated, deleted only by the retention sweep.
/// </summary>
public sealed class AuditEntry
{
    public Guid Id { get; set; }
    public Instant At { get; set; }
    /// <summary>E.g. <c>agent.updated</c>, <c>sign_in.failed</c>, <c>calendar.changed</c> (docs/security.md lists them).</summary>
    public string Action { get; set; } = "";
    /// <summary>The agent who acted; null for the system (CLI, background work) or an anonymous caller (a failed sign-in).</summary>
    public Guid? ActorId { get; set; }
    public string? ActorEmail { get; set; }
    /// <summary>What was acted on: an e-mail, a configuration name, a token's id.</summary>
    public string Target { get; set; } = "";
    /// <summary>JSON of the thing before and after the change (secrets never included); null where there is none.</summary>
    public string? Before { get; set; }
    public string? After { get; set; }
}

/// <summary>
/// Failed sign-ins for one normalised e-mail address, known or not (so a lockout never tells whether an address exists).
/// In the database so every node sees the same count and lock. Removed on a successful sign-in.
/// </summary>
public sealed class SignInThrottle
{
    public string Email { get; set; } = "";
    public int Failures { get; set; }
    public Instant LastFailureAt { get; set; }
    public Instant? LockedUntil { get; set; }
}

/// <summary>Named counters (ticket numbers), incremented inside the writing transaction.</summary>
public sealed class Counter
{
    public string Name { get; set; } = "";
    public long Value { get; set; }
}

/// <summary>
/// A time-limited claim on a piece of background work (the due-queue, a mailbox fetcher), so exactly one node does it.
/// </summary>
public sealed class Lease
{
    public string Name { get; set; } = "";
    public string Holder { get; set; } = "";
    public Instant ExpiresAt { get; set; }
}

/// <summary>
/// An SLA warning or breach that has fired. The unique key (ticket, metric, cycle, percent) makes firing exactly-once,
/// even across restarts and nodes. Percent 100 is the breach.
/// </summary>
public sealed class SlaAlert
{
    public Guid Id { get; set; }
    public Guid TicketId { get; set; }
    public int TicketNumber { get; set; }
    public SlaMetric Metric { get; set; }
    public int Cycle { get; set; }
    public int Percent { get; set; }
    /// <summary>The instant the engine says it happened.</summary>
    public Instant DueAt { get; set; }
    /// <summary>When the due-queue fired it (DueAt + latency).</summary>
    public Instant FiredAt { get; set; }
    public bool IsBreach => Percent >= 100;
}

/// <summary>
/// The first successful answer to a write sent with an <c>Idempotency-Key</c> (ADR 0012), stored in the same unit of work
/// as the change it reports: a retry with the same key gets this answer back and writes nothing. Keyed per caller.
/// </summary>
public sealed class IdempotencyRecord
{
    /// <summary>Whose key it is (the agent's id, or <c>system</c>): one caller cannot see or block another's keys.</summary>
    public string Scope { get; set; } = "";
    public string Key { get; set; } = "";
    /// <summary>SHA-256 (hex) of method, path and body: the same key with another request is refused.</summary>
    public string RequestHash { get; set; } = "";
    public int Status { get; set; }
    public string? Location { get; set; }
    public string Body { get; set; } = "";
    public Instant CreatedAt { get; set; }
}
