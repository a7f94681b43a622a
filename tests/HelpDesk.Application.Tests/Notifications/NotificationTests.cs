using HelpDesk.Application.Common;
using HelpDesk.Application.Notifications;
using HelpDesk.Application.Notifications.GetNotifications;
using HelpDesk.Application.Notifications.MarkNotificationRead;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Domain.Notifications;
using NodaTime;

namespace HelpDesk.Application.Tests.Notifications;

public sealed class NotificationTests() : DeskTest(withPolicy: false)
{
    private async Task<Guid> NotifyAsync(Guid? agent, Guid? team, string message)
    {
        _host.Clock.Advance(Duration.FromMinutes(1));
        var n = new Notification(Guid.CreateVersion7(), NotificationKinds.Escalation, agent, team, null, 10001, message, _host.Clock.GetCurrentInstant());
        await _host.WithDbAsync(db => { db.Notifications.Add(n); return db.SaveChangesAsync(); });
        return n.Id;
    }

    [Fact]
    public async Task An_agent_sees_their_own_and_their_teams_notifications_newest_first()
    {
        await NotifyAsync(_desk.Alice.Id, _desk.Support.Id, "for alice");
        await NotifyAsync(null, _desk.Support.Id, "for support");
        await NotifyAsync(_desk.Lena.Id, _desk.Support.Id, "for lena");
        await NotifyAsync(null, _desk.Tier2.Id, "for tier2");

        var seen = await _host.QueryAsync(new GetNotifications(), _desk.Alice.Id);

        seen.Select(n => n.Message).Should().Equal("for support", "for alice");
        seen[0].ForTeam.Should().BeTrue();
    }

    [Fact]
    public async Task Marking_read_hides_a_notification_from_the_unread_list()
    {
        var id = await NotifyAsync(_desk.Alice.Id, _desk.Support.Id, "for alice");
        await NotifyAsync(null, _desk.Support.Id, "for support");

        var read = await _host.SendAsync(new MarkNotificationRead(id), _desk.Alice.Id);

        read.ReadAt.Should().Be(_host.Clock.GetCurrentInstant());
        (await _host.QueryAsync(new GetNotifications(UnreadOnly: true), _desk.Alice.Id)).Select(n => n.Message).Should().Equal("for support");
    }

    [Fact]
    public async Task Another_agents_notification_is_not_found()
    {
        var id = await NotifyAsync(_desk.Lena.Id, _desk.Support.Id, "for lena");

        var act = () => _host.SendAsync(new MarkNotificationRead(id), _desk.Tom.Id);

        await act.Should().ThrowAsync<NotFoundException>();
    }
}
