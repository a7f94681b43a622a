using FluentValidation;
using FluentValidation.Results;
using HelpDesk.Application.Audit;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Common;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Mail.Outbound;

/// <summary>An outgoing mail in the admins' list.</summary>
public sealed record OutboxMailDto(Guid Id, string Kind, string State, string To, string? Cc, string Subject, int? Ticket, bool IsAutomatic,
    int Attempts, Instant CreatedAt, Instant NextAttemptAt, Instant? SentAt, string? LastError);

/// <summary>One outgoing mail with its text (our own plain text, shown JSON-encoded) and threading headers.</summary>
public sealed record OutboxMailDetailDto(OutboxMailDto Mail, string BodyText, string MessageId, string? InReplyTo, string? References);

/// <summary>A page of a list: the <paramref name="Items"/> from <paramref name="Offset"/>, of <paramref name="Total"/> matching.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int Total, int Offset, int Limit);

/// <summary>What the admin home counts: the outbox by state, the quarantine by reason class.</summary>
public sealed record MailCounts(IReadOnlyDictionary<string, int> Outbox, int Quarantined, IReadOnlyDictionary<string, int> QuarantineByReason);

/// <summary>
/// The admins' outbox (docs/email.md, "Outbox and quarantine for admins"): list with filters and paging, one mail,
/// retry a failed (or waiting) mail now, cancel one that has not gone; counts for the admin home. Leads may read.
/// State changes are conditional updates, so a mail the sender takes meanwhile is reported, never changed twice.
/// </summary>
public sealed class OutboxAdmin(HelpDeskDbContext db, Caller caller, IClock clock, OutboxSignal signal)
{
    public const int MaxLimit = 200;

    public async Task<Page<OutboxMailDto>> ListAsync(string? state, string? kind, int? ticket, string? to, int offset, int limit, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Lead, ct);
        var failures = new List<ValidationFailure>();
        OutboxState? wanted = null;
        if (state is not null)
        {
            if (Enum.TryParse<OutboxState>(state, ignoreCase: true, out var s) && !int.TryParse(state, out _)) wanted = s;
            else failures.Add(new ValidationFailure("state", $"One of {string.Join(", ", Enum.GetNames<OutboxState>().Select(n => n.ToLowerInvariant()))}."));
        }
        if (offset < 0) failures.Add(new ValidationFailure("offset", "0 or more."));
        if (limit is < 1 or > MaxLimit) failures.Add(new ValidationFailure("limit", $"From 1 to {MaxLimit}."));
        if (failures.Count > 0) throw new ValidationException(failures);
        var query = db.Set<OutboxMail>().AsNoTracking();
        if (wanted is { } w) query = query.Where(m => m.State == w);
        if (kind is { Length: > 0 }) query = query.Where(m => m.Kind == kind);
        if (ticket is { } n) query = query.Where(m => m.TicketNumber == n);
        if (to is { Length: > 0 })
        {
            var address = EmailAddress.Normalise(to);
            query = query.Where(m => m.To.Contains(address));
        }
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(m => m.CreatedAt).ThenBy(m => m.Id).Skip(offset).Take(limit).ToListAsync(ct);
        return new Page<OutboxMailDto>(rows.Select(Dto).ToList(), total, offset, limit);
    }

    public async Task<OutboxMailDetailDto> GetAsync(Guid id, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Lead, ct);
        var m = await db.Set<OutboxMail>().AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, ct) ?? throw new NotFoundException($"There is no outgoing mail {id}.");
        return new OutboxMailDetailDto(Dto(m), m.BodyText, m.MessageId, m.InReplyTo, m.References);
    }

    /// <summary>Sends a failed or waiting mail on the next pass (its attempts are kept); a sent or cancelled one cannot be retried.</summary>
    public async Task<OutboxMailDto> RetryAsync(Guid id, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Admin, ct);
        var now = clock.GetCurrentInstant();
        var row = await ChangeAsync(id, "outbox.retried", q => q.ExecuteUpdateAsync(s => s.SetProperty(m => m.State, OutboxState.Pending).SetProperty(m => m.NextAttemptAt, now), ct),
            state => new DomainRuleViolation("outbox.not_retryable", $"This mail is {state}; only failed or waiting mail can be retried."), ct);
        signal.Notify();
        return Dto(row);
    }

    /// <summary>Stops a mail that has not gone (waiting or failed): it is never sent.</summary>
    public async Task<OutboxMailDto> CancelAsync(Guid id, CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Admin, ct);
        var row = await ChangeAsync(id, "outbox.cancelled", q => q.ExecuteUpdateAsync(s => s.SetProperty(m => m.State, OutboxState.Cancelled), ct),
            state => new DomainRuleViolation("outbox.not_cancellable", $"This mail is {state}; only failed or waiting mail can be cancelled."), ct);
        return Dto(row);
    }

    // The conditional update of a failed or waiting mail and its audit row (who, which mail, the state before), in one
    // transaction: the update bypasses the change tracker, so AuditTrail's interceptor cannot see it and the row is added here.
    private async Task<OutboxMail> ChangeAsync(Guid id, string action, Func<IQueryable<OutboxMail>, Task<int>> update,
        Func<string, Exception> refused, CancellationToken ct)
    {
        var actor = await caller.RequireAgentAsync(ct);
        return await db.InTransactionAsync(async ct =>
        {
            var before = await CurrentAsync(id, ct);
            if (await update(db.Set<OutboxMail>().Where(m => m.Id == id && (m.State == OutboxState.Failed || m.State == OutboxState.Pending))) == 0)
                throw refused(Name((await CurrentAsync(id, ct)).State));
            db.AuditLog.Add(AuditTrail.Event(action, id.ToString(), clock.GetCurrentInstant(), actor.Id, actor.Email,
                new { before.To, before.Subject, before.Kind, Ticket = before.TicketNumber, StateBefore = Name(before.State), before.Attempts, before.LastError }));
            await db.SaveChangesAsync(ct);
            return await CurrentAsync(id, ct);
        }, ct);
    }

    public async Task<MailCounts> CountsAsync(CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Lead, ct);
        var outbox = await db.Set<OutboxMail>().AsNoTracking().GroupBy(m => m.State).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var quarantine = await db.Set<InboundMail>().AsNoTracking().Where(m => m.State == InboundState.Quarantined)
            .GroupBy(m => m.ReasonCode).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return new MailCounts(
            Enum.GetValues<OutboxState>().ToDictionary(Name, s => outbox.FirstOrDefault(o => o.Key == s)?.Count ?? 0),
            quarantine.Sum(q => q.Count),
            quarantine.GroupBy(q => q.Key ?? QuarantineReason.Error).ToDictionary(g => g.Key, g => g.Sum(q => q.Count)));
    }

    private async Task<OutboxMail> CurrentAsync(Guid id, CancellationToken ct) =>
        await db.Set<OutboxMail>().AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, ct) ?? throw new NotFoundException($"There is no outgoing mail {id}.");

    private static string Name(OutboxState state) => state.ToString().ToLowerInvariant();

    private static OutboxMailDto Dto(OutboxMail m) => new(m.Id, m.Kind, Name(m.State), m.To, m.Cc, m.Subject, m.TicketNumber, m.IsAutomatic,
        m.Attempts, m.CreatedAt, m.NextAttemptAt, m.SentAt, m.LastError);
}
