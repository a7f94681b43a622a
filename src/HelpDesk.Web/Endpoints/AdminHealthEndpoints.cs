using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Surveys;
using HelpDesk.Domain.Agents;
using HelpDesk.Mail.Mailboxes;
using HelpDesk.Web.Hosting;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Web.Endpoints;

/// <summary>One thing that is set up wrong: what it breaks and how to fix it. <paramref name="Severity"/> is error (something does not work) or warning (a risk).</summary>
public sealed record HealthFinding(string Code, string Severity, string Problem, string Breaks, string Fix);

/// <summary>The settings health for the admin home: <paramref name="Ok"/> when nothing was found.</summary>
public sealed record SettingsHealthDto(bool Ok, IReadOnlyList<HealthFinding> Findings, Instant CheckedAt);

/// <summary>
/// Settings health (docs/email.md, "Settings health"): looks at the configuration and the database for what is
/// misconfigured, and says for each what it breaks and the fix. Leads and admins.
/// </summary>
public sealed class SettingsHealth(HelpDeskDbContext db, Caller caller, IClock clock, IOptions<MailOptions> mail, SurveySettings surveys,
    IOptions<KeyManagementOptions> keys, MailboxDirectory mailboxes)
{
    /// <summary>Most agents whose password is compared with the published demo password (each check is a slow hash on purpose).</summary>
    private const int DemoPasswordChecks = 20;

    public async Task<SettingsHealthDto> CheckAsync(CancellationToken ct)
    {
        await caller.RequireRoleAsync(AgentRole.Lead, ct);
        var findings = new List<HealthFinding>();
        var o = mail.Value;
        if (string.IsNullOrWhiteSpace(o.PublicBaseUrl) && (await surveys.CurrentAsync(ct)).Enabled)
            findings.Add(new("surveys.no_public_base_url", "error", "HelpDesk:PublicBaseUrl is not set.",
                "No satisfaction survey is sent when a ticket is solved (a survey needs a link), and mail carries no link to the ticket.",
                "Set HelpDesk:PublicBaseUrl to the address customers and agents reach the help desk at (e.g. https://help.example.com), then restart."));
        var waiting = await db.Set<OutboxMail>().CountAsync(m => m.State == OutboxState.Pending, ct);
        if (await mailboxes.SmtpAsync(ct) is null)
            findings.Add(new("mail.no_smtp", "error", "No SMTP server: neither HelpDesk:Mail:Smtp:Host nor a mailbox with SMTP settings.",
                $"No mail leaves: replies, acknowledgements, notifications and surveys wait in the outbox ({waiting} waiting now).",
                "Add SMTP settings to a mailbox (Admin → Mailboxes, test the connection) or set HelpDesk:Mail:Smtp:Host; waiting mail is sent then."));
        var fetchers = await mailboxes.FetchersAsync(ct);
        if (fetchers.Count == 0)
            findings.Add(new("mail.no_mailbox", "warning", "No mailbox to fetch mail from.",
                "Mail customers write reaches no ticket unless an MTA pipes it into the mailgate.",
                "Add a mailbox (Admin → Mailboxes) and test its connection, or configure HelpDesk:Mail:Imap, or pipe mail to helpdesk-mailgate (docs/email.md)."));
        var failing = await db.Set<MailboxStatus>().AsNoTracking().Where(s => s.Failures > 0).OrderBy(s => s.Name).ToListAsync(ct);
        foreach (var s in failing.Where(s => fetchers.Any(f => f.Name == s.Name)))
            findings.Add(new("mail.mailbox_error", "error", $"Mailbox '{s.Name}' fails: {s.LastError}",
                $"No new mail from '{s.Name}' since {(s.LastFetchAt is { } at ? at.ToString() : "it was added")} ({s.Failures} failed attempts).",
                "Open the mailbox, run 'Test connection' and correct what it names (password, host, port, TLS)."));
        if (DataProtectionSetup.KeyRingStore(keys.Value) is null)
            findings.Add(new("security.key_ring_not_persisted", "error", "The Data Protection key ring is kept in no shared, lasting place.",
                "A restart or another node signs everyone out and cannot read the stored mailbox passwords.",
                $"Leave {DataProtectionSetup.KeysDirectoryKey} empty (keys in the database) or point it at a directory every node shares."));
        if (string.IsNullOrEmpty(o.SigningKey) && !await db.Set<MailSetting>().AnyAsync(s => s.Name == MailSigning.SettingName, ct))
            findings.Add(new("mail.signing_key_missing", "error", "The Message-ID signing key has not been generated yet.",
                "Replies cannot be threaded by our signed token until it exists.",
                "Start the server once with mail enabled (the key is generated and stored), or set HelpDesk:Mail:SigningKey."));
        var demo = await DemoPasswordAgentsAsync(ct);
        if (demo.Count > 0)
            findings.Add(new("security.demo_password", "error", $"The published demo password still signs in: {string.Join(", ", demo)}.",
                "Anyone who has read the README can sign in as these agents.",
                "Each of them changes their password (or an admin runs `helpdesk agents set-password`); deactivate demo agents you do not need."));
        return new SettingsHealthDto(findings.Count == 0, findings, clock.GetCurrentInstant());
    }

    // Active admins first, then the rest, at most DemoPasswordChecks of them.
    private async Task<List<string>> DemoPasswordAgentsAsync(CancellationToken ct)
    {
        var candidates = await (from a in db.Agents.AsNoTracking()
                                join c in db.AgentCredentials.AsNoTracking() on a.Id equals c.AgentId
                                where a.IsActive
                                orderby a.Role descending, a.Email
                                select new { a.Email, c.PasswordHash }).Take(DemoPasswordChecks).ToListAsync(ct);
        return candidates.Where(c => PasswordHashing.Verify(c.PasswordHash, DemoData.DemoPassword) != PasswordHashing.Result.Failed)
            .Select(c => c.Email).ToList();
    }
}

public static class AdminHealthEndpoints
{
    public static RouteGroupBuilder MapAdminHealthEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/admin/health", async (SettingsHealth health, CancellationToken ct) => Results.Ok(await health.CheckAsync(ct)))
            .WithTags("Admin").WithSummary("What is misconfigured, what it breaks and how to fix it (leads, admins)").Produces<SettingsHealthDto>();
        return api;
    }
}
