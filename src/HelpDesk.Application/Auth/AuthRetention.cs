using HelpDesk.Application.Common;
using NodaTime;

namespace HelpDesk.Application.Auth;

/// <summary>
/// The retention of sign-in state: console sessions that ended or passed their maximum age, and failed-sign-in counts
/// that are forgotten, are deleted, so neither table grows with every sign-in and every mistyped address. One node does
/// it, the holder of the <see cref="LeaseName"/> lease (web host: <c>AuthRetentionSweeper</c>, hourly).
/// </summary>
public sealed class AuthRetention(LeaseManager leases, Sessions sessions, SignInGuard guard)
{
    public const string LeaseName = "auth-retention";

    /// <summary>How many sessions and sign-in counts were deleted; null when another node holds the lease.</summary>
    public async Task<(int Sessions, int Throttles)?> SweepAsync(CancellationToken ct)
    {
        if (!await leases.TryAcquireAsync(LeaseName, Duration.FromMinutes(30), ct)) return null;
        return (await sessions.DeleteExpiredAsync(ct), await guard.DeleteForgottenAsync(ct));
    }
}
