using HelpDesk.Application.Auth;
using HelpDesk.Web.AgentConsole;

namespace HelpDesk.Web.Hosting;

/// <summary>Runs <see cref="AuthRetention"/> once an hour (from ten minutes after start), on the node holding its lease.</summary>
public sealed class AuthRetentionSweeper(IServiceScopeFactory scopes, ILogger<AuthRetentionSweeper> logger) : PeriodicSweep(logger)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override TimeSpan FirstDelay => TimeSpan.FromMinutes(10);

    protected override async Task SweepAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        if (await scope.ServiceProvider.GetRequiredService<AuthRetention>().SweepAsync(ct) is { } deleted && deleted.Sessions + deleted.Throttles > 0)
            logger.LogInformation("Deleted {Sessions} ended or expired sessions and {Throttles} forgotten sign-in counts", deleted.Sessions, deleted.Throttles);
    }
}
