using HelpDesk.Application.AgentConsole;
using HelpDesk.Application.AgentConsole.GetConsoleEvents;
using HelpDesk.Application.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Application.Tests.AgentConsole;

/// <summary>Console events are kept for replay after short disconnects; older ones are deleted and a replay says so.</summary>
public sealed class ConsoleEventRetentionTests : IAsyncLifetime
{
    private const string Stream = "team:support";
    private TestHost _host = null!;

    public Task InitializeAsync()
    {
        _host = TestHost.Create();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task AppendAsync(int count) => _host.WithScopeAsync(async (_, db) =>
        await new ConsoleStreams(db, _host.Clock).AppendAsync(
            Enumerable.Range(0, count).Select(i => (Stream, "ticket.changed", (int?)10001, "{}")).ToList(), CancellationToken.None));

    private Task<int> DeleteOlderThanDaysAsync(int days) => _host.WithScopeAsync((sp, _) =>
        sp.GetRequiredService<ConsoleEventRetention>().DeleteOlderThanAsync(_host.Clock.GetCurrentInstant() - Duration.FromDays(days), CancellationToken.None));

    [Fact]
    public async Task Events_older_than_the_retention_are_deleted_and_newer_ones_kept()
    {
        await AppendAsync(3);
        _host.Clock.Advance(Duration.FromDays(8));
        await AppendAsync(2);

        (await DeleteOlderThanDaysAsync(7)).Should().Be(3);

        var left = await _host.WithDbAsync(db => db.Set<ConsoleEvent>().OrderBy(e => e.Sequence).Select(e => e.Sequence).ToListAsync());
        left.Should().Equal(4, 5);
    }

    [Fact]
    public async Task A_replay_from_before_the_deleted_events_is_told_to_reload_and_a_replay_after_them_is_not()
    {
        await AppendAsync(3);
        _host.Clock.Advance(Duration.FromDays(8));
        await AppendAsync(2);
        await DeleteOlderThanDaysAsync(7);

        var stale = await _host.QueryAsync(new GetConsoleEvents(Stream, After: 1));
        stale.Reset.Should().BeTrue("events 2 and 3 are gone: replaying cannot fill the gap");
        stale.Head.Should().Be(5);

        var current = await _host.QueryAsync(new GetConsoleEvents(Stream, After: 3));
        current.Reset.Should().BeFalse();
        current.Events.Select(e => e.Seq).Should().Equal(4, 5);

        await DeleteOlderThanDaysAsync(-1);
        var emptied = await _host.QueryAsync(new GetConsoleEvents(Stream, After: 3));
        (emptied.Reset, emptied.Events.Count).Should().Be((true, 0), "every event after 3 is gone although the head is 5");
        (await _host.QueryAsync(new GetConsoleEvents(Stream, After: 5))).Reset.Should().BeFalse("nothing was missed");
    }
}
