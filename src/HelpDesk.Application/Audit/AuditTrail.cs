using System.Text.Json;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Surveys;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Escalation;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Application.Audit;

/// <summary>
/// Writes the audit log inside the SaveChanges that makes the change it records, so a change and its row commit or roll
/// back together and no path can skip it (the pattern of <see cref="Search.SearchIndexing"/>): every admin action and
/// security event is a change of an audited row (an agent, a team, a configuration version, a rule, a password, a token,
/// a session, an account link, a stored mailbox, the survey settings), described here with its before and after. Events that change no row (a failed sign-in)
/// are added by their code with <see cref="Event"/>. Secrets (password and token hashes) never enter a row.
/// Contexts built by hand without the application's services (tests seeding rows) have no clock and write none.
/// </summary>
public sealed class AuditTrail : SaveChangesInterceptor
{
    public static readonly AuditTrail Instance = new();

    private static readonly HashSet<string> Secrets = [nameof(AgentCredential.PasswordHash), nameof(ApiToken.TokenHash), nameof(AccountLink.TokenHash)];

    /// <summary>Encrypted secrets: a row shows only whether one is stored (<c>imapPasswordSet</c>), never the payload.</summary>
    private static readonly HashSet<string> ProtectedSecrets = [nameof(StoredMailbox.ImapPasswordProtected), nameof(StoredMailbox.SmtpPasswordProtected)];

    private AuditTrail() { }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is HelpDeskDbContext db) await StageAsync(db, cancellationToken);
        return result;
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is HelpDeskDbContext db) StageAsync(db, CancellationToken.None).GetAwaiter().GetResult();
        return result;
    }

    /// <summary>An event that changes no audited row, to add to the unit of work it belongs to.</summary>
    public static AuditEntry Event(string action, string target, Instant at, Guid? actorId = null, string? actorEmail = null, object? details = null) => new()
    {
        Id = Guid.CreateVersion7(), At = at, Action = action, Target = target, ActorId = actorId, ActorEmail = actorEmail,
        After = details is null ? null : JsonSerializer.Serialize(details, Converters.Json),
    };

    private static async Task StageAsync(HelpDeskDbContext db, CancellationToken ct)
    {
        db.ChangeTracker.DetectChanges();
        var changed = db.ChangeTracker.Entries().Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted).ToList();
        if (changed.Any(e => e.Entity is AuditEntry && e.State != EntityState.Added))
            throw new InvalidOperationException("The audit log is append-only.");
        var services = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider;
        if (services?.GetService<IClock>() is not { } clock) return;
        var now = clock.GetCurrentInstant();
        Agent? actor = null;
        var actorLoaded = false;
        foreach (var entry in changed)
        {
            if (await DescribeAsync(db, entry, ct) is not { } change) continue;
            if (!actorLoaded)
            {
                actorLoaded = true;
                if (services.GetService<ICurrentAgent>()?.AgentId is { } id)
                    actor = db.Agents.Local.FirstOrDefault(a => a.Id == id) ?? await db.Agents.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
            }
            var by = change.Actor ?? actor;
            db.AuditLog.Add(new AuditEntry
            {
                Id = Guid.CreateVersion7(), At = now, Action = change.Action, Target = change.Target,
                ActorId = by?.Id, ActorEmail = by?.Email, Before = change.Before, After = change.After,
            });
        }
    }

    private sealed record Change(string Action, string Target, string? Before, string? After, Agent? Actor = null);

    private static async Task<Change?> DescribeAsync(HelpDeskDbContext db, EntityEntry entry, CancellationToken ct)
    {
        var added = entry.State == EntityState.Added;
        string? Before() => added ? null : Snapshot(entry, original: true);
        string? After() => entry.State == EntityState.Deleted ? null : Snapshot(entry, original: false);
        bool Became(string property) => entry.State == EntityState.Modified && entry.Property(property).IsModified
                                        && !Equals(entry.Property(property).OriginalValue, entry.Property(property).CurrentValue);
        switch (entry.Entity)
        {
            case Team t:
                return new(added ? "team.created" : entry.State == EntityState.Deleted ? "team.deleted" : "team.updated", t.Name, Before(), After());
            case Agent a:
                var action = added ? "agent.created"
                    : Became(nameof(Agent.IsActive)) && !a.IsActive ? "agent.deactivated"
                    : Became(nameof(Agent.Role)) ? "agent.role_changed" : "agent.updated";
                return new(action, a.Email, Before(), After());
            case AgentCredential c:
                // A rehash on sign-in (stronger parameters) is not a password change: only a new ChangedAt is.
                if (!added && !Became(nameof(AgentCredential.ChangedAt)) && !Became(nameof(AgentCredential.MustChange))) return null;
                return new(added ? "password.set" : "password.changed", await EmailOfAsync(db, c.AgentId, ct), Before(), After());
            case ApiToken t when added:
                return new("token.created", t.Id.ToString(), null, After());
            case ApiToken t when Became(nameof(ApiToken.RevokedAt)):
                return new("token.revoked", t.Id.ToString(), Before(), After());
            case AgentSession s when added:
                var agent = db.Agents.Local.FirstOrDefault(x => x.Id == s.AgentId) ?? await db.Agents.AsNoTracking().SingleOrDefaultAsync(x => x.Id == s.AgentId, ct);
                return new("sign_in.succeeded", agent?.Email ?? s.AgentId.ToString(), null, After(), agent);
            case AccountLink l when added:
                return new(l.Purpose == AccountLinkPurpose.Invite ? "invite.sent" : "password_reset.sent", await EmailOfAsync(db, l.AgentId, ct), null, After());
            case AccountLink l when Became(nameof(AccountLink.UsedAt)):
                return new(l.Purpose == AccountLinkPurpose.Invite ? "invite.accepted" : "password_reset.used", await EmailOfAsync(db, l.AgentId, ct), Before(), After());
            case BusinessCalendarVersion v when added:
                var calendar = await db.CalendarVersions.AsNoTracking().Where(c => c.Name == v.Name && c.Version < v.Version)
                    .OrderByDescending(c => c.Version).FirstOrDefaultAsync(ct);
                return new("calendar.changed", v.Name, calendar is null ? null : Snapshot(db.Entry(calendar), original: false), After());
            case SlaPolicyVersion v when added:
                var policy = await db.SlaPolicyVersions.AsNoTracking().Where(p => p.Name == v.Name && p.Version < v.Version)
                    .OrderByDescending(p => p.Version).FirstOrDefaultAsync(ct);
                return new("sla_policy.changed", v.Name, policy is null ? null : Snapshot(db.Entry(policy), original: false), After());
            case StoredMailbox m:
                return new(added ? "mailbox.created" : entry.State == EntityState.Deleted ? "mailbox.deleted" : "mailbox.changed", m.Name, Before(), After());
            case MailSetting s when s.Name == SurveySettings.SettingName:
                return new("survey_settings.changed", s.Name, Before(), After());
            case EscalationRule r:
                return new(added ? "escalation_rule.created" : "escalation_rule.changed", r.Name, Before(), After());
            default:
                return null;
        }
    }

    private static async Task<string> EmailOfAsync(HelpDeskDbContext db, Guid agentId, CancellationToken ct) =>
        db.Agents.Local.FirstOrDefault(a => a.Id == agentId)?.Email
        ?? await db.Agents.AsNoTracking().Where(a => a.Id == agentId).Select(a => a.Email).SingleOrDefaultAsync(ct)
        ?? agentId.ToString();

    /// <summary>The row's columns as stored (JSON columns inline), without secrets.</summary>
    private static string Snapshot(EntityEntry entry, bool original)
    {
        var values = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in entry.Metadata.GetProperties())
        {
            if (Secrets.Contains(property.Name)) continue;
            var value = original ? entry.OriginalValues[property] : entry.CurrentValues[property];
            if (ProtectedSecrets.Contains(property.Name))
            {
                values[JsonNamingPolicy.CamelCase.ConvertName(property.Name[..^"Protected".Length] + "Set")] = value is not null;
                continue;
            }
            if (property.GetValueConverter() is { } converter && value is not null) value = converter.ConvertToProvider(value);
            values[JsonNamingPolicy.CamelCase.ConvertName(property.Name.TrimStart('_'))] =
                value is string s && s.Length > 0 && s[0] is '{' or '[' ? JsonDocument.Parse(s).RootElement.Clone() : value;
        }
        return JsonSerializer.Serialize(values, Converters.Json);
    }
}
