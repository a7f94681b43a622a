using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Application.Tests.Common;

public sealed class LeaseManagerTests : IAsyncLifetime
{
    private const string Name = "sla-due-queue";
    private static readonly Duration Ttl = Duration.FromSeconds(30);
    private TestHost _host = null!;

    public Task InitializeAsync()
    {
        _host = TestHost.Create();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<bool> TryAcquireAsync(string holder) => _host.WithScopeAsync((sp, db) =>
        new LeaseManager(db, sp.GetRequiredService<NodaTime.IClock>(), new LeaseHolder(holder)).TryAcquireAsync(Name, Ttl, CancellationToken.None));

    [Fact]
    public async Task Only_one_holder_has_the_lease_and_may_renew_it()
    {
        (await TryAcquireAsync("node-a")).Should().BeTrue();
        (await TryAcquireAsync("node-b")).Should().BeFalse();

        _host.Clock.Advance(Duration.FromSeconds(20));
        (await TryAcquireAsync("node-a")).Should().BeTrue("the holder renews");
        _host.Clock.Advance(Duration.FromSeconds(20));
        (await TryAcquireAsync("node-b")).Should().BeFalse("the renewal moved the expiry on");
    }

    [Fact]
    public async Task Another_node_takes_over_once_the_lease_expired()
    {
        (await TryAcquireAsync("node-a")).Should().BeTrue();

        _host.Clock.Advance(Ttl + Duration.FromSeconds(1));

        (await TryAcquireAsync("node-b")).Should().BeTrue();
        (await TryAcquireAsync("node-a")).Should().BeFalse("node-a lost it by not renewing");
    }

    [Fact]
    public async Task A_released_lease_is_free_at_once()
    {
        (await TryAcquireAsync("node-a")).Should().BeTrue();

        await _host.WithScopeAsync(async (sp, db) =>
        {
            await new LeaseManager(db, sp.GetRequiredService<NodaTime.IClock>(), new LeaseHolder("node-a")).ReleaseAsync(Name, CancellationToken.None);
            return 0;
        });

        (await TryAcquireAsync("node-b")).Should().BeTrue();
    }
}
