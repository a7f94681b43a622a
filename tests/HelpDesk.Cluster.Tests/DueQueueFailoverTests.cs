using HelpDesk.Application.Notifications;
using HelpDesk.Application.Sla.DueQueue;
using HelpDesk.Cluster.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Cluster.Tests;

public sealed class DueQueueFailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_due_queue_holder_while_alerts_fall_due_leaves_every_warning_and_breach_fired_once_by_another_node()
    {
        await using var cluster = await DeskCluster.StartAsync(output.WriteLine);
        using var admin = cluster.Admin(0);
        // Warnings at 3 s and 6 s, the breach at 12 s: the first fire while the test watches, the rest fall due while
        // the holder is dead or just replaced.
        await admin.PutFastPolicyAsync("PT12S", [25, 50]);
        const int tickets = 20;
        var clients = cluster.Nodes.Select((_, i) => cluster.Admin(i)).ToList();
        var numbers = new List<int>();
        for (var i = 0; i < tickets; i++) numbers.Add(await clients[i % clients.Count].CreateTicketAsync($"Due {i}"));

        await Eventually.UntilAsync(() => cluster.DbAsync(db => db.SlaAlerts.AnyAsync()), "the first warning to fire");
        await cluster.KillHolderAndAwaitTakeoverAsync(SlaDueQueueService.LeaseName);

        const int expected = tickets * 3;
        await Eventually.UntilAsync(() => cluster.DbAsync(async db => await db.SlaAlerts.CountAsync() >= expected), $"{expected} alerts", seconds: 60);
        var alerts = await cluster.DbAsync(db => db.SlaAlerts.AsNoTracking().ToListAsync());
        alerts.Should().HaveCount(expected);
        alerts.GroupBy(a => a.TicketNumber).Should().HaveCount(tickets).And.OnlyContain(g => g.Select(a => a.Percent).Order().SequenceEqual(new[] { 25, 50, 100 }));
        alerts.Select(a => a.TicketNumber).Distinct().Should().BeEquivalentTo(numbers);

        var notifications = await cluster.DbAsync(db => db.Notifications.AsNoTracking()
            .Where(n => n.Kind == NotificationKinds.SlaWarning || n.Kind == NotificationKinds.SlaBreached).ToListAsync());
        notifications.Should().HaveCount(expected, "one team notification per alert, none twice");
        notifications.GroupBy(n => n.Message).Should().OnlyContain(g => g.Count() == 1);
        notifications.Count(n => n.Kind == NotificationKinds.SlaBreached).Should().Be(tickets);
    }
}
