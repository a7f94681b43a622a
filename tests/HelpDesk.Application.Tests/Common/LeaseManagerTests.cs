using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
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

    [Fact]
    public async Task A_long_pass_renews_its_lease_as_it_goes_and_stops_once_another_node_took_it()
    {
        // A lifetime of three ticks: every check within the pass is past a third of it, so each one renews.
        var lease = new HeldLease(_host.Services.GetRequiredService<IServiceScopeFactory>(), Name,
            new LeaseTerms(Duration.FromTicks(3), TimeSpan.FromSeconds(1)), NullLogger.Instance);
        (await lease.TryHoldAsync(CancellationToken.None)).Should().BeTrue();
        var first = (await _host.WithDbAsync(db => db.Leases.SingleAsync())).ExpiresAt;

        _host.Clock.Advance(Duration.FromMinutes(1));
        (await lease.KeepAsync(CancellationToken.None)).Should().BeTrue();
        (await _host.WithDbAsync(db => db.Leases.SingleAsync())).ExpiresAt.Should().BeGreaterThan(first, "the pass renewed the lease");

        _host.Clock.Advance(Duration.FromMinutes(1));
        (await TryAcquireAsync("node-b")).Should().BeTrue("the lease had expired");
        (await lease.KeepAsync(CancellationToken.None)).Should().BeFalse("another node holds it now: the pass must stop");
    }

    [Fact]
    public void Lease_settings_outside_a_tenth_of_a_second_to_an_hour_are_refused_by_name()
    {
        new LeaseOptions().Problem().Should().BeNull();
        new LeaseOptions { OutboxSeconds = 0 }.Problem().Should().Contain("HelpDesk:Leases:OutboxSeconds");
        new LeaseOptions { TakeoverCheckSeconds = 7200 }.Problem().Should().Contain("HelpDesk:Leases:TakeoverCheckSeconds");
    }

    [Fact]
    public void A_holder_never_waits_longer_than_a_third_of_its_lease()
    {
        var terms = new LeaseOptions { DueQueueSeconds = 6 }.DueQueue;

        terms.RenewEvery.Should().Be(TimeSpan.FromSeconds(2));
        terms.HolderWait(TimeSpan.FromSeconds(20)).Should().Be(TimeSpan.FromSeconds(2));
        terms.HolderWait(TimeSpan.FromSeconds(1)).Should().Be(TimeSpan.FromSeconds(1));
    }
}
