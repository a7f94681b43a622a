using HelpDesk.Application.Notifications;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets.AssignTicket;
using HelpDesk.Domain.Sla;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tests.Sla;

public sealed class SlaDueQueueTests : DeskTest
{
    [Fact]
    public async Task Schedules_the_first_warning_as_the_tickets_next_alert()
    {
        var ticket = await _desk.OpenTicketAsync(_host);

        var stored = await Desk.TicketAsync(_host, ticket.Number);

        stored.SlaPolicyName.Should().Be("standard");
        stored.SlaNextAlertAt.Should().Be(TestHost.Start + Desk.FirstResponse * 0.75);
    }

    [Fact]
    public async Task Fires_a_warning_once_at_its_instant_and_the_breach_once_after_a_restart()
    {
        var ticket = await _desk.OpenTicketAsync(_host);
        await _host.SendAsync(new AssignTicket(ticket.Number, _desk.Alice.Email));
        var warningAt = TestHost.Start + Desk.FirstResponse * 0.75;

        _host.Clock.Reset(warningAt - Duration.FromSeconds(1));
        (await _host.FireDueAsync()).IsEmpty.Should().BeTrue("nothing is due a second before the warning");

        _host.Clock.Reset(warningAt);
        var fired = await _host.FireDueAsync();
        fired.Alerts.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Metric = SlaMetric.FirstResponse, Cycle = 1, Percent = 75, DueAt = warningAt, FiredAt = warningAt });
        var notifications = await NotificationsAsync();
        notifications.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Kind = NotificationKinds.SlaWarning, AgentId = (Guid?)_desk.Alice.Id });

        (await _host.FireDueAsync()).IsEmpty.Should().BeTrue("a warning fires once");

        _host = await _host.RestartAsync();
        _host.Clock.Reset(TestHost.Start + Desk.FirstResponse + Duration.FromSeconds(1));
        var afterRestart = await _host.FireDueAsync();

        afterRestart.Alerts.Select(a => a.Percent).Should().Equal(90, 100);
        (await _host.FireDueAsync()).IsEmpty.Should().BeTrue();
        _host = await _host.RestartAsync();
        (await _host.FireDueAsync()).IsEmpty.Should().BeTrue("a restart fires nothing that already fired");
        var alerts = await _host.WithDbAsync(db => db.SlaAlerts.OrderBy(a => a.Percent).Select(a => new { a.Metric, a.Cycle, a.Percent }).ToListAsync());
        alerts.Should().Equal(
            new { Metric = SlaMetric.FirstResponse, Cycle = 1, Percent = 75 },
            new { Metric = SlaMetric.FirstResponse, Cycle = 1, Percent = 90 },
            new { Metric = SlaMetric.FirstResponse, Cycle = 1, Percent = 100 });
        (await NotificationsAsync()).Select(n => n.Kind).Should().BeEquivalentTo(
            [NotificationKinds.SlaWarning, NotificationKinds.SlaWarning, NotificationKinds.SlaBreached], "the 90 % warning and the breach fired at the same instant");
        (await Desk.TicketAsync(_host, ticket.Number)).SlaNextAlertAt.Should().BeNull("the only running clock has breached");
    }

    [Fact]
    public async Task Notifies_the_team_while_the_ticket_has_no_assignee()
    {
        await _desk.OpenTicketAsync(_host);
        _host.Clock.Reset(TestHost.Start + Desk.FirstResponse * 0.75);

        await _host.FireDueAsync();

        (await NotificationsAsync()).Should().ContainSingle().Which.Should().BeEquivalentTo(new { AgentId = (Guid?)null, TeamId = (Guid?)_desk.Support.Id });
    }

    [Fact]
    public async Task Fires_nothing_for_a_clock_that_stopped_before_its_warning()
    {
        var ticket = await _desk.OpenTicketAsync(_host);
        await _host.SendAsync(new AssignTicket(ticket.Number, _desk.Alice.Email));
        _host.Clock.Advance(Duration.FromHours(1));
        await _host.SendAsync(new HelpDesk.Application.Tickets.AddReply.AddReply(ticket.Number, "On our way.", "public", null), _desk.Alice.Id);

        _host.Clock.Advance(Duration.FromHours(10));

        (await _host.FireDueAsync()).IsEmpty.Should().BeTrue();
        (await Desk.TicketAsync(_host, ticket.Number)).SlaNextAlertAt.Should().BeNull();
    }

    [Fact]
    public async Task Two_nodes_firing_at_the_same_instant_fire_each_alert_once()
    {
        await _desk.OpenTicketAsync(_host);
        _host.Clock.Reset(TestHost.Start + Desk.FirstResponse + Duration.Epsilon); // breached: counted exceeds the target
        await using var other = TestHost.OnSameDatabase(_host);

        var results = await Task.WhenAll(_host.FireDueAsync(), other.FireDueAsync());

        results.SelectMany(r => r.Alerts).Select(a => a.Percent).Should().BeEquivalentTo([75, 90, 100]);
        (await _host.WithDbAsync(db => db.SlaAlerts.CountAsync())).Should().Be(3);
        (await NotificationsAsync()).Should().HaveCount(3);
    }

    private Task<List<Domain.Notifications.Notification>> NotificationsAsync() =>
        _host.WithDbAsync(db => db.Notifications.AsNoTracking().OrderBy(n => n.CreatedAt).ThenBy(n => n.Id).ToListAsync());
}
