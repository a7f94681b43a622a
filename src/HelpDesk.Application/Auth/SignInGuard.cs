using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Application.Auth;

/// <summary><c>HelpDesk:SignIn</c>: how sign-in abuse is slowed (rate limits per minute) and locked out (with back-off).</summary>
public sealed class SignInOptions
{
    public const string Section = "HelpDesk:SignIn";

    /// <summary>Sign-in, token and survey requests a client address may make a minute.</summary>
    public int PermitsPerMinutePerAddress { get; set; } = 30;
    /// <summary>The same requests a minute for one account (the e-mail signed in with, the token's agent, the survey link).</summary>
    public int PermitsPerMinutePerAccount { get; set; } = 10;
    /// <summary>Failed sign-ins in a row an address may have before it is locked.</summary>
    public int FreeFailures { get; set; } = 5;
    /// <summary>The first lock; each further failure after a lock doubles it, up to <see cref="MaxLockSeconds"/>.</summary>
    public double FirstLockSeconds { get; set; } = 60;
    public double MaxLockSeconds { get; set; } = 3600;
    /// <summary>Failures older than this (and no lock running) are forgotten.</summary>
    public double ForgetAfterHours { get; set; } = 24;
    /// <summary>The longest a console sign-in lasts, however active (the cookie slides 12 h); then the agent signs in again.</summary>
    public double SessionMaxAgeDays { get; set; } = 30;

    public string? Problem() =>
        PermitsPerMinutePerAddress < 1 || PermitsPerMinutePerAccount < 1 ? "HelpDesk:SignIn: permits per minute must be at least 1."
        : FreeFailures < 1 ? "HelpDesk:SignIn:FreeFailures must be at least 1."
        : FirstLockSeconds <= 0 || MaxLockSeconds < FirstLockSeconds ? "HelpDesk:SignIn: FirstLockSeconds must be positive and at most MaxLockSeconds."
        : ForgetAfterHours <= 0 ? "HelpDesk:SignIn:ForgetAfterHours must be positive."
        : SessionMaxAgeDays <= 0 ? "HelpDesk:SignIn:SessionMaxAgeDays must be positive." : null;
}

/// <summary>An attempt's outcome: the agent when it worked; else when the address is locked until, if it is.</summary>
public sealed record SignInAttempt(Agent? Agent, Instant? LockedUntil);

/// <summary>A locked address as admins see it.</summary>
public sealed record SignInLockout(string Email, int Failures, Instant LastFailureAt, Instant LockedUntil);

/// <summary>
/// Password sign-in with a lockout: after <see cref="SignInOptions.FreeFailures"/> failures in a row an address is locked
/// for a minute, each further failure doubles the lock. Counted per normalised address whether an agent has it or not,
/// and a locked attempt still spends a password hash, so neither the answer nor its time tells which addresses exist.
/// The counts live in the database (<see cref="SignInThrottle"/>), so every node agrees.
/// </summary>
public sealed class SignInGuard(HelpDeskDbContext db, Credentials credentials, IClock clock, IOptions<SignInOptions> options)
{
    public async Task<SignInAttempt> SignInAsync(string email, string password, CancellationToken ct)
    {
        var key = Key(email);
        var now = clock.GetCurrentInstant();
        var throttle = await db.SignInThrottles.AsNoTracking().SingleOrDefaultAsync(t => t.Email == key, ct);
        if (throttle?.LockedUntil is { } until && until > now)
        {
            Credentials.SpendVerificationTime(password);
            db.AuditLog.Add(Audit.AuditTrail.Event("sign_in.failed", key, now, details: new { lockedUntil = until }));
            await db.SaveChangesAsync(ct);
            return new SignInAttempt(null, until);
        }
        var agent = await credentials.VerifyPasswordAsync(email, password, ct);
        if (agent is not null)
        {
            if (throttle is not null) await db.SignInThrottles.Where(t => t.Email == key).ExecuteDeleteAsync(ct);
            return new SignInAttempt(agent, null);
        }
        var lockedUntil = await RecordFailureAsync(key, now, ct);
        // Unknown addresses are recorded as typed (normalised): the log is for admins, who may see which were tried.
        db.AuditLog.Add(Audit.AuditTrail.Event("sign_in.failed", key, now, details: new { lockedUntil }));
        await db.SaveChangesAsync(ct);
        return new SignInAttempt(null, lockedUntil);
    }

    /// <summary>Addresses locked now, latest lock first.</summary>
    public async Task<IReadOnlyList<SignInLockout>> LockedAsync(CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        var rows = await db.SignInThrottles.AsNoTracking().Where(t => t.LockedUntil > now).ToListAsync(ct);
        return rows.Select(t => new SignInLockout(t.Email, t.Failures, t.LastFailureAt, t.LockedUntil!.Value))
            .OrderByDescending(l => l.LockedUntil).ToList();
    }

    /// <summary>
    /// Deletes the rows that count no more (failures forgotten, no lock running): a failure after them would start over
    /// anyway. Run by the retention sweep (<see cref="AuthRetention"/>); returns how many.
    /// </summary>
    public Task<int> DeleteForgottenAsync(CancellationToken ct) => db.SignInThrottles.Where(Forgotten(clock.GetCurrentInstant())).ExecuteDeleteAsync(ct);

    // Failures older than ForgetAfterHours and no lock running.
    private System.Linq.Expressions.Expression<Func<SignInThrottle, bool>> Forgotten(Instant now)
    {
        var forgetBefore = now - Duration.FromHours(options.Value.ForgetAfterHours);
        return t => t.LastFailureAt < forgetBefore && (t.LockedUntil == null || t.LockedUntil < now);
    }

    private async Task<Instant?> RecordFailureAsync(string key, Instant now, CancellationToken ct)
    {
        var o = options.Value;
        for (var attempt = 1; ; attempt++)
        {
            // Stale failures start over; otherwise one more, counted in the database so parallel attempts all count.
            await db.SignInThrottles.Where(t => t.Email == key).Where(Forgotten(now))
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Failures, 0), ct);
            var updated = await db.SignInThrottles.Where(t => t.Email == key)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.Failures, t => t.Failures + 1).SetProperty(t => t.LastFailureAt, now), ct);
            if (updated > 0) break;
            var row = new SignInThrottle { Email = key, Failures = 1, LastFailureAt = now };
            db.SignInThrottles.Add(row);
            try
            {
                await db.SaveChangesAsync(ct);
                break;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Another attempt inserted the row first: count on it.
                db.Entry(row).State = EntityState.Detached;
            }
        }
        var failures = await db.SignInThrottles.Where(t => t.Email == key).Select(t => t.Failures).SingleAsync(ct);
        if (failures < o.FreeFailures) return null;
        var seconds = Math.Min(o.FirstLockSeconds * Math.Pow(2, Math.Min(failures - o.FreeFailures, 30)), o.MaxLockSeconds);
        var until = now + Duration.FromSeconds(seconds);
        await db.SignInThrottles.Where(t => t.Email == key).ExecuteUpdateAsync(s => s.SetProperty(t => t.LockedUntil, until), ct);
        return until;
    }

    private static string Key(string email)
    {
        var normalised = email.Trim().ToLowerInvariant();
        return normalised.Length > 254 ? normalised[..254] : normalised;
    }
}
