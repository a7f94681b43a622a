using HelpDesk.Application.Mail;
using HelpDesk.Cluster.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace HelpDesk.Cluster.Tests;

public sealed class ImapFailoverTests(MailFixture mail, ITestOutputHelper output) : IClassFixture<MailFixture>
{
    [Fact]
    public async Task Killing_the_fetching_node_mid_burst_makes_each_of_200_messages_exactly_one_article()
    {
        await using var cluster = await DeskCluster.StartAsync(output.WriteLine, mail.ImapSettings("support"));
        var tag = $"inbound{Guid.NewGuid():N}"[..15];
        var messages = Enumerable.Range(0, 200).Select(i =>
        {
            var m = new MimeMessage { MessageId = $"{tag}.{i}@example.test", Subject = $"{tag} {i}" };
            m.From.Add(new MailboxAddress($"Sender {i}", $"sender{i}@example.test"));
            m.To.Add(new MailboxAddress("Support", "support@example.test"));
            m.Body = new TextPart("plain") { Text = $"Message {i}" };
            return m;
        }).ToList();
        var lease = "mail-imap:support";

        var burst = mail.AppendAsync("support", messages);
        await Eventually.UntilAsync(() => cluster.DbAsync(db => db.Set<InboundMail>().AnyAsync()), "the first message stored");
        await cluster.KillHolderAndAwaitTakeoverAsync(lease);
        await burst;

        await Eventually.UntilAsync(() => cluster.DbAsync(async db => await db.Set<InboundMail>().CountAsync(m => m.ArticleId != null) >= 200),
            "200 messages made into articles", seconds: 90);
        var inbound = await cluster.DbAsync(db => db.Set<InboundMail>().AsNoTracking().ToListAsync());
        output.WriteLine($"{inbound.Count} inbound rows for 200 messages");
        inbound.Where(m => m.ArticleId != null).Select(m => m.MessageId.Trim('<', '>')).Should().BeEquivalentTo(messages.Select(m => m.MessageId));
        inbound.Where(m => m.ArticleId != null).Select(m => m.ArticleId).Should().OnlyHaveUniqueItems();
        var perTicket = await cluster.DbAsync(db => db.Tickets.Where(t => t.Subject.StartsWith(tag)).Select(t => t.Articles.Count).ToListAsync());
        perTicket.Should().HaveCount(200).And.OnlyContain(n => n == 1, "each message is one ticket with one article");
    }
}
