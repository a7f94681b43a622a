using System.Net.Http.Json;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Notifications;
using HelpDesk.Domain.Notifications;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Mail.Tests.Api;

/// <summary>What writes outbox rows: public replies (same unit of work), never internal notes; notifications for agents.</summary>
public sealed class OutboxWritingTests(DeskFixture fixture) : IClassFixture<DeskFixture>
{
    private readonly MailDeskFactory _desk = fixture.Desk;

    [Fact]
    public async Task A_public_reply_queues_mail_to_the_reply_to_address_with_participants_in_cc_and_a_note_queues_none()
    {
        var agent = await _desk.AgentClientAsync($"r{Guid.NewGuid():N}"[..10] + "@example.test", "agent", "support");
        var outcome = await _desk.IngestAsync(Mime.Message(from: "dora@example.test", cc: "eve@example.test", headers: "Reply-To: dora.private@example.test"));
        var number = outcome.Ticket!.Value;

        (await agent.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "Internal only", visibility = "internal" })).EnsureSuccessStatusCode();
        (await _desk.DbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.TicketNumber == number && m.Kind == "reply"))).Should().Be(0);

        (await agent.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "Here is the fix.", visibility = "public" })).EnsureSuccessStatusCode();
        var mail = await _desk.DbAsync(db => db.Set<OutboxMail>().SingleAsync(m => m.TicketNumber == number && m.Kind == "reply"));
        mail.To.Should().Be("dora.private@example.test");
        mail.Cc.Should().Be("eve@example.test");
        mail.IsAutomatic.Should().BeFalse();
        mail.BodyText.Should().Be("Here is the fix.");
        mail.Subject.Should().EndWith($"[#{number}]");
        var article = await _desk.DbAsync(db => db.Articles.SingleAsync(a => a.Id == mail.ArticleId));
        article.BodyText.Should().Be("Here is the fix.");
    }

    [Fact]
    public async Task A_notification_for_an_agent_is_mailed_as_automatic_mail()
    {
        var email = $"n{Guid.NewGuid():N}"[..10] + "@example.test";
        await _desk.AgentClientAsync(email, "agent", "support");
        var outcome = await _desk.IngestAsync(Mime.Message(from: "fred@example.test"));
        var agentId = await _desk.DbAsync(db => db.Agents.Where(a => a.Email == email).Select(a => a.Id).SingleAsync());
        var teamId = await _desk.DbAsync(db => db.Tickets.Where(t => t.Number == outcome.Ticket).Select(t => t.TeamId).SingleAsync());
        await using (var scope = _desk.Services.CreateAsyncScope())
        {
            var notification = new Notification(Guid.CreateVersion7(), NotificationKinds.SlaBreached, agentId, teamId, null, outcome.Ticket, "First response breached", NodaTime.SystemClock.Instance.GetCurrentInstant());
            await scope.ServiceProvider.GetRequiredService<NotificationPublisher>().PublishAsync([notification], CancellationToken.None);
        }
        var mail = await _desk.DbAsync(db => db.Set<OutboxMail>().SingleAsync(m => m.Kind == "notification" && m.To == email));
        mail.IsAutomatic.Should().BeTrue();
        mail.Subject.Should().Be($"First response breached [#{outcome.Ticket}]");
    }
}
