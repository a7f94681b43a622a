using HelpDesk.Application.Auth;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Application.Tests.Auth;

/// <summary>Ended or expired sessions and forgotten sign-in counts are deleted by one node, under the retention lease.</summary>
public sealed class AuthRetentionTests : IAsyncLifetime
{
    private TestHost _host = null!;

    public Task InitializeAsync()
    {
        _host = TestHost.Create();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Instant Now => _host.Clock.GetCurrentInstant();

    private Task<(int Sessions, int Throttles)?> SweepAsync(TestHost host) =>
        host.WithScopeAsync((sp, _) => sp.GetRequiredService<AuthRetention>().SweepAsync(CancellationToken.None));

    private async Task SeedAsync(Guid agent)
    {
        await _host.WithDbAsync(async db =>
        {
            db.AgentSessions.AddRange(
                new AgentSession { Id = Guid.CreateVersion7(), AgentId = agent, CreatedAt = Now - Duration.FromHours(1), EndedAt = Now - Duration.FromMinutes(5) },
                new AgentSession { Id = Guid.CreateVersion7(), AgentId = agent, CreatedAt = Now - Duration.FromDays(31) },
                new AgentSession { Id = Guid.CreateVersion7(), AgentId = agent, CreatedAt = Now - Duration.FromDays(29) });
            db.SignInThrottles.AddRange(
                new SignInThrottle { Email = "forgotten@desk.test", Failures = 3, LastFailureAt = Now - Duration.FromHours(25) },
                new SignInThrottle { Email = "lock-over@desk.test", Failures = 9, LastFailureAt = Now - Duration.FromHours(30), LockedUntil = Now - Duration.FromHours(29) },
                new SignInThrottle { Email = "recent@desk.test", Failures = 2, LastFailureAt = Now - Duration.FromHours(1) },
                new SignInThrottle { Email = "locked@desk.test", Failures = 12, LastFailureAt = Now - Duration.FromHours(25), LockedUntil = Now + Duration.FromMinutes(10) });
            return await db.SaveChangesAsync();
        });
    }

    [Fact]
    public async Task Deletes_ended_and_too_old_sessions_and_forgotten_sign_in_counts_and_keeps_the_rest()
    {
        var agent = Guid.CreateVersion7();
        await SeedAsync(agent);

        (await SweepAsync(_host)).Should().Be((2, 2));

        (await _host.WithDbAsync(db => db.AgentSessions.Select(s => s.CreatedAt).ToListAsync())).Should().Equal(Now - Duration.FromDays(29));
        (await _host.WithDbAsync(db => db.SignInThrottles.OrderBy(t => t.Email).Select(t => t.Email).ToListAsync()))
            .Should().Equal("locked@desk.test", "recent@desk.test");
    }

    [Fact]
    public async Task A_session_past_its_maximum_age_no_longer_counts()
    {
        var agent = Guid.CreateVersion7();
        var session = await _host.WithScopeAsync((sp, _) => sp.GetRequiredService<Sessions>().StartAsync(agent, CancellationToken.None));
        var credential = new Credential(agent, session, null);

        _host.Clock.Advance(Duration.FromDays(31));

        var live = await _host.WithScopeAsync((sp, db) => sp.GetRequiredService<Sessions>().LiveAsync([credential], CancellationToken.None));
        live.Should().BeEmpty("an absolute age ends even a session in daily use, so the sweep may delete it");
    }

    [Fact]
    public async Task Sweeps_nothing_while_another_node_holds_the_lease()
    {
        await SeedAsync(Guid.CreateVersion7());
        await _host.WithDbAsync(async db =>
        {
            db.Leases.Add(new Lease { Name = AuthRetention.LeaseName, Holder = "other-node", ExpiresAt = Now + Duration.FromMinutes(20) });
            return await db.SaveChangesAsync();
        });

        (await SweepAsync(_host)).Should().BeNull();
        (await _host.WithDbAsync(db => db.AgentSessions.CountAsync())).Should().Be(3);

        _host.Clock.Advance(Duration.FromMinutes(21));
        (await SweepAsync(_host)).Should().NotBeNull("the other node's lease expired");
    }
}
