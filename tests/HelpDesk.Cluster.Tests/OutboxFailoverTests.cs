using System.Net.Http.Json;
using HelpDesk.Application.Mail;
using HelpDesk.Cluster.Tests.Infrastructure;
using HelpDesk.Mail.Outbound;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Cluster.Tests;

public sealed class OutboxFailoverTests(MailFixture mail, ITestOutputHelper output) : IClassFixture<MailFixture>
{
    [Fact]
    public async Task Killing_the_outbox_holder_mid_burst_delivers_every_mail_and_repeats_at_most_the_one_in_flight_with_its_message_id()
    {
        await using var cluster = await DeskCluster.StartAsync(output.WriteLine, mail.SmtpSettings);
        var tag = $"burst{Guid.NewGuid():N}"[..13];
        var clients = cluster.Nodes.Select(n => n.Client(cluster.AdminToken)).ToList();
        // 10 tickets x 20 public replies = 200 mails to customer@example.test, written through every node while the
        // outbox sends them.
        var tickets = new List<int>();
        for (var i = 0; i < 10; i++) tickets.Add(await clients[i % 3].CreateTicketAsync($"{tag} {i}"));
        var burst = Task.WhenAll(tickets.Select(async (number, t) =>
        {
            for (var r = 0; r < 20; r++) await ReplyAsync(number, r, t + r);
        }));

        async Task ReplyAsync(int number, int reply, int node)
        {
            var body = $"{tag} reply {number}.{reply}";
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    (await clients[(node + attempt) % 3].PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body, visibility = "public" }))
                        .EnsureSuccessStatusCode();
                    return;
                }
                catch (HttpRequestException e) when (e.StatusCode is null && attempt < 3)
                {
                    // Cut off by the kill: the dead node committed the reply or did not. Only the database knows.
                    if (await cluster.DbAsync(db => db.Articles.AnyAsync(a => a.BodyText == body))) return;
                }
            }
        }

        await Eventually.UntilAsync(() => cluster.DbAsync(db => db.Set<OutboxMail>().AnyAsync(m => m.State == OutboxState.Sent)), "the first mail sent");
        await cluster.KillHolderAndAwaitTakeoverAsync(OutboxSender.LeaseName);
        await burst;

        var rows = await cluster.DbAsync(db => db.Set<OutboxMail>().AsNoTracking().Where(m => m.Kind == "reply").ToListAsync());
        rows.Should().HaveCount(200);
        await Eventually.UntilAsync(async () => (await mail.MessageIdsAsync("customer", tag)).Distinct().Count() >= rows.Count, "every mail in the customer's inbox", seconds: 90);
        var arrived = await mail.MessageIdsAsync("customer", tag);
        var sentTwice = arrived.GroupBy(id => id).Where(g => g.Count() > 1).ToList();
        output.WriteLine($"{arrived.Count} mails arrived for {rows.Count} outbox rows; sent twice: {sentTwice.Count}");
        arrived.Distinct().Should().BeEquivalentTo(rows.Select(r => r.MessageId.Trim('<', '>')));
        sentTwice.Should().HaveCountLessThanOrEqualTo(1, "only the mail in flight when the node died may go twice")
            .And.NotContain(g => g.Count() > 2, "and only twice");
        (await cluster.DbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.Kind == "reply" && m.State == OutboxState.Sent))).Should().Be(rows.Count);
    }
}
