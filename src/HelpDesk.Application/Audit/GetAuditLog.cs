using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Reporting.Csv;
using HelpDesk.Domain.Common;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Application.Audit;

/// <summary>One audit row as the API shows it; <see cref="Before"/> and <see cref="After"/> are the JSON text stored.</summary>
public sealed record AuditEntryDto(Guid Id, Instant At, string Action, string? Actor, string Target, string? Before, string? After);

public sealed record AuditPage(IReadOnlyList<AuditEntryDto> Items, int Page, int PageSize, int Total);

/// <summary>
/// What the audit log is filtered by (all optional): an action or an action prefix ending in <c>.</c> (<c>agent.</c>), the
/// actor's e-mail, the target, and a time range <c>[from, to)</c> (ISO instants).
/// </summary>
public interface IAuditFilter
{
    string? Action { get; }
    string? Actor { get; }
    string? Target { get; }
    string? From { get; }
    string? To { get; }
}

/// <summary>The audit log, newest first, a page at a time (admins).</summary>
public sealed record GetAuditLog(string? Action, string? Actor, string? Target, string? From, string? To, int Page = 1, int PageSize = 100)
    : IQuery<AuditPage>, IAuditFilter, IAdminOnly;

/// <summary>Every matching row of the audit log as CSV, oldest first (admins).</summary>
public sealed record ExportAuditLog(string? Action, string? Actor, string? Target, string? From, string? To) : IQuery<CsvFile>, IAuditFilter, IAdminOnly;

public sealed class AuditFilterValidator : AbstractValidator<IAuditFilter>
{
    public AuditFilterValidator()
    {
        RuleFor(f => f.From).Must(BeInstant).WithMessage("'from' must be an ISO instant (2026-03-02T08:00:00Z).");
        RuleFor(f => f.To).Must(BeInstant).WithMessage("'to' must be an ISO instant (2026-03-02T08:00:00Z).");
        RuleFor(f => f.Action).MaximumLength(60);
        RuleFor(f => f.Actor).MaximumLength(254);
        RuleFor(f => f.Target).MaximumLength(300);
    }

    private static bool BeInstant(string? text) => text is null || InstantPattern.ExtendedIso.Parse(text).Success;
}

public sealed class GetAuditLogValidator : AbstractValidator<GetAuditLog>
{
    public GetAuditLogValidator()
    {
        Include(new AuditFilterValidator());
        RuleFor(q => q.Page).GreaterThanOrEqualTo(1);
        RuleFor(q => q.PageSize).InclusiveBetween(1, 500);
    }
}

public sealed class ExportAuditLogValidator : AbstractValidator<ExportAuditLog>
{
    public ExportAuditLogValidator() => Include(new AuditFilterValidator());
}

public sealed class GetAuditLogHandler(HelpDeskDbContext db) : IQueryHandler<GetAuditLog, AuditPage>, IQueryHandler<ExportAuditLog, CsvFile>
{
    private static readonly string[] Header = ["at", "action", "actor", "target", "before", "after"];

    public async ValueTask<AuditPage> Handle(GetAuditLog query, CancellationToken ct)
    {
        var rows = Filter(query);
        var total = await rows.CountAsync(ct);
        var items = await rows.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip((query.Page - 1) * query.PageSize).Take(query.PageSize)
            .Select(e => new AuditEntryDto(e.Id, e.At, e.Action, e.ActorEmail, e.Target, e.Before, e.After)).ToListAsync(ct);
        return new AuditPage(items, query.Page, query.PageSize, total);
    }

    public ValueTask<CsvFile> Handle(ExportAuditLog query, CancellationToken ct)
    {
        var rows = Filter(query).OrderBy(e => e.At).ThenBy(e => e.Id).AsAsyncEnumerable();
        return ValueTask.FromResult(new CsvFile("audit-log.csv", (stream, token) => CsvExport.WriteAsync(stream, Header, rows, (csv, e) =>
        {
            csv.WriteField(InstantPattern.ExtendedIso.Format(e.At));
            csv.WriteField(e.Action);
            csv.WriteField(e.ActorEmail);
            csv.WriteField(e.Target);
            csv.WriteField(e.Before);
            csv.WriteField(e.After);
        }, token)));
    }

    private IQueryable<AuditEntry> Filter(IAuditFilter f)
    {
        var rows = db.AuditLog.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(f.Action))
        {
            var action = f.Action.Trim().ToLowerInvariant();
            rows = action.EndsWith('.') ? rows.Where(e => e.Action.StartsWith(action)) : rows.Where(e => e.Action == action);
        }
        if (!string.IsNullOrWhiteSpace(f.Actor))
        {
            var actor = EmailAddress.IsValid(f.Actor) ? EmailAddress.Normalise(f.Actor) : f.Actor.Trim();
            rows = rows.Where(e => e.ActorEmail == actor);
        }
        if (!string.IsNullOrWhiteSpace(f.Target)) rows = rows.Where(e => e.Target == f.Target.Trim().ToLowerInvariant() || e.Target == f.Target.Trim());
        if (f.From is not null)
        {
            var from = InstantPattern.ExtendedIso.Parse(f.From).Value;
            rows = rows.Where(e => e.At >= from);
        }
        if (f.To is not null)
        {
            var to = InstantPattern.ExtendedIso.Parse(f.To).Value;
            rows = rows.Where(e => e.At < to);
        }
        return rows;
    }
}

/// <summary><c>HelpDesk:Audit</c>: how long audit rows are kept.</summary>
public sealed class AuditOptions
{
    public const string Section = "HelpDesk:Audit";

    /// <summary>Rows older than this many days are deleted by the retention sweep (on the node holding its lease).</summary>
    public int RetentionDays { get; set; } = 365;

    /// <summary>Deletes rows older than the retention; the only deletion of audit rows there is.</summary>
    public static Task<int> DeleteExpiredAsync(HelpDeskDbContext db, Instant now, int retentionDays, CancellationToken ct)
    {
        var before = now - Duration.FromDays(retentionDays);
        return db.AuditLog.Where(e => e.At < before).ExecuteDeleteAsync(ct);
    }
}
