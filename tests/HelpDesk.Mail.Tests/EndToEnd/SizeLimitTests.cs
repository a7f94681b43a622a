using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Tickets.GetArticles;
using HelpDesk.Mail.Imap;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Mail.Tests.EndToEnd;

/// <summary>The size gate before download (IMAP RFC822.SIZE) and the per-file limit with a note on the article.</summary>
[Collection(MailServerCollection.Name)]
public sealed class SizeLimitTests(MailServerFixture servers)
{
    [Fact]
    public async Task A_message_over_the_size_limit_is_not_downloaded_but_recorded_and_acknowledged()
    {
        var folder = $"size-{Guid.NewGuid():N}"[..13];
        var imap = new ImapProbe(servers);
        await imap.CreateFolderAsync("support", folder);
        using var desk = new MailDeskFactory(new Dictionary<string, string?> { ["HelpDesk:Mail:MaxMessageBytes"] = "2000" });
        _ = desk.Services;
        await desk.EnsureTeamAsync("support");
        await imap.AppendAsync("support", folder, Mime.Message(from: "big@example.test", body: new string('x', 5000)));
        await imap.AppendAsync("support", folder, Mime.Message(from: "small@example.test", subject: "small one"));

        var mailbox = new ImapMailboxOptions { Name = "sizebox", Host = "127.0.0.1", Port = servers.ImapPort, UseTls = false, Username = "support", Password = MailServers.Password, Folder = folder };
        using var stop = new CancellationTokenSource();
        var fetcher = new ImapMailboxFetcher(mailbox, desk.Services.GetRequiredService<IServiceScopeFactory>(), desk.Services.GetRequiredService<IOptions<MailOptions>>(), new LeaseOptions().Imap,
            SystemClock.Instance, NullLogger.Instance);
        var run = fetcher.RunAsync(stop.Token);
        await Eventually.UntilAsync(async () => (await imap.FlagsAsync("support", folder)).Acknowledged == 2, "both messages acknowledged");
        stop.Cancel();
        await run;

        var rows = await desk.DbAsync(db => db.Set<InboundMail>().OrderBy(m => m.ReceivedAt).ToListAsync());
        rows.Should().HaveCount(2);
        rows[0].Outcome.Should().Be(MailOutcome.Quarantined);
        rows[0].Reason.Should().Contain("exceeds");
        rows[0].Raw.Should().BeEmpty();
        rows[1].Outcome.Should().Be(MailOutcome.Created, "an oversized message never blocks the next one");
    }

    [Fact]
    public async Task An_attachment_over_the_per_file_limit_is_refused_with_a_note()
    {
        using var desk = new MailDeskFactory(new Dictionary<string, string?> { ["HelpDesk:Mail:MaxAttachmentBytes"] = "5" });
        _ = desk.Services;
        await desk.EnsureTeamAsync("support");
        var outcome = await desk.IngestAsync(Mime.Html("<p>see attached</p>", attachmentName: "big.pdf"));
        var article = (await desk.SendAsync(new GetArticles(outcome.Ticket!.Value))).Single();
        var attachment = article.Attachments!.Single();
        attachment.RefusedReason.Should().Contain("larger than 5 bytes");
        attachment.Url.Should().BeNull();
        attachment.Size.Should().Be(13);
        article.Mail!.Notes.Should().Contain("big.pdf");
    }
}
