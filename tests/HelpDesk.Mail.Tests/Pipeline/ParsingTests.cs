using System.Net;
using System.Text;
using System.Text.Json;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Tickets.GetArticles;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Mail.Tests.Pipeline;

/// <summary>A desk serving on loopback, so one message can arrive through every entry: in process, POST /mailgate, both mailgates.</summary>
public sealed class LoopbackDeskFixture : IAsyncLifetime
{
    public MailDeskFactory Desk { get; } = new();

    public string Address { get; private set; } = "";

    public async Task InitializeAsync() => Address = await Desk.StartOnLoopbackAsync();

    public Task DisposeAsync()
    {
        Desk.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>How a message reaches the desk.</summary>
public enum Entry
{
    /// <summary>The ingestor in process: what IMAP and POST /mailgate hand their bytes to.</summary>
    Pipeline,
    /// <summary>POST /mailgate over loopback (422 is the mailgates' 65).</summary>
    Http,
    /// <summary><c>helpdesk mailgate</c>, opening the database itself.</summary>
    Cli,
    /// <summary><c>helpdesk-mailgate --url</c>, the native client handing the bytes to the server.</summary>
    Native,
}

/// <summary>
/// What the parser accepts (docs/email.md): one theory per class of real mail that used to be lost, garbled or bounced,
/// each from messages under Samples/Parsing (a <c>{run}</c> token in them makes addresses and Message-IDs unique per run).
/// </summary>
public sealed class ParsingTests(LoopbackDeskFixture fixture) : IClassFixture<LoopbackDeskFixture>
{
    private readonly MailDeskFactory _desk = fixture.Desk;

    private static byte[] Sample(string name, string run) =>
        Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Samples", "Parsing", name))).Replace("{run}", run));

    private static string NewRun() => Guid.NewGuid().ToString("N")[..12];

    /// <summary>Sends the bytes through <paramref name="entry"/>: the exit code (0, or 65 for not-mail) and the outcome when there is one.</summary>
    private async Task<(int Exit, MailOutcome? Outcome)> SendAsync(Entry entry, byte[] raw)
    {
        switch (entry)
        {
            case Entry.Pipeline:
                if (!MailParsing.LooksLikeMail(raw)) return (65, null);
                return (0, await _desk.IngestAsync(raw));
            case Entry.Http:
                using (var http = new HttpClient { BaseAddress = new Uri(fixture.Address) })
                {
                    using var response = await http.PostAsync("/mailgate", new ByteArrayContent(raw));
                    if (response.StatusCode == HttpStatusCode.UnprocessableEntity) return (65, null);
                    response.EnsureSuccessStatusCode();
                    return (0, Outcome(await response.Content.ReadAsStringAsync()));
                }
            default:
                // The mailgates read stdin as bytes; these samples are ASCII, so the text is the bytes.
                var (exit, stdout, stderr) = entry == Entry.Cli
                    ? await DotnetProcess.RunAsync("helpdesk.dll", ["mailgate"], Encoding.ASCII.GetString(raw), new Dictionary<string, string?>(
                        _desk.Database.EnvironmentVariables.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value)))
                    {
                        ["HelpDesk__Mail__SystemAddress"] = MailDeskFactory.SystemAddress, ["HelpDesk__Mail__MailgateUrl"] = null,
                    })
                    : await DotnetProcess.RunAsync("helpdesk-mailgate.dll", ["--url", fixture.Address], Encoding.ASCII.GetString(raw),
                        new Dictionary<string, string?> { ["HELPDESK_MAILGATE_URL"] = null, ["HELPDESK_MAILGATE_FALLBACK"] = null });
                exit.Should().BeOneOf([0, 65], stderr);
                return (exit, exit == 0 ? Outcome(stdout) : null);
        }
    }

    private static MailOutcome Outcome(string json)
    {
        var o = JsonDocument.Parse(json).RootElement;
        return new MailOutcome(o.GetProperty("outcome").GetString()!, o.GetProperty("ticket").ValueKind == JsonValueKind.Number ? o.GetProperty("ticket").GetInt32() : null,
            o.GetProperty("article").ValueKind == JsonValueKind.String ? o.GetProperty("article").GetGuid() : null,
            o.GetProperty("reason").ValueKind == JsonValueKind.String ? o.GetProperty("reason").GetString() : null);
    }

    [Theory]
    [InlineData("mbox-envelope.eml", Entry.Pipeline)]
    [InlineData("mbox-envelope-lf.eml", Entry.Pipeline)]
    [InlineData("mbox-envelope.eml", Entry.Http)]
    [InlineData("mbox-envelope.eml", Entry.Cli)]
    [InlineData("mbox-envelope-lf.eml", Entry.Native)]
    public async Task An_mbox_envelope_line_keeps_the_message_id_so_a_redelivery_is_a_duplicate_and_a_reply_threads(string sample, Entry entry)
    {
        var run = NewRun();
        var first = Sample(sample, run);

        var (exit, created) = await SendAsync(entry, first);

        exit.Should().Be(0);
        created!.Outcome.Should().Be(MailOutcome.Created);
        var stored = await _desk.DbAsync(db => db.Set<InboundMail>().SingleAsync(m => m.ArticleId == created.Article));
        stored.MessageId.Should().Be($"mbox-first.{run}@customer.example", "the Message-ID under the envelope line keys the message");
        stored.Raw.Should().Equal(first, "the envelope line is kept in the stored bytes");
        var article = (await _desk.SendAsync(new GetArticles(created.Ticket!.Value))).Single();
        article.BodyText.Should().Contain("The printer on floor 2 is offline").And.Contain("From the log it stopped", "a >From body line is kept");

        var redelivered = Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(first).Replace("Mon Jan  1 00:00:00 2026", "Tue Jan  2 08:30:00 2026"));
        (await SendAsync(entry, redelivered)).Outcome!.Outcome.Should().Be(MailOutcome.Duplicate, "the same mail delivered again with another envelope date");

        var reply = await SendAsync(entry, Sample("mbox-envelope-reply.eml", run));
        reply.Outcome!.Outcome.Should().Be(MailOutcome.Appended);
        reply.Outcome.Ticket.Should().Be(created.Ticket, "the reply threads by In-Reply-To");
    }

    [Theory]
    [InlineData("gbk-undeclared.eml", "我的打印机无法连接网络，请帮忙", "张伟", "我的打印机昨天开始无法连接到办公室的网络")]
    [InlineData("shift-jis-undeclared.eml", "プリンターが印刷できません", "山田太郎", "昨日から三階のプリンターが印刷できなくなりました")]
    [InlineData("iso-2022-jp-no-charset.eml", "請求書について", "佐藤花子", "先月の請求書が届いておりません")]
    [InlineData("latin1-undeclared.eml", "Grüße aus München: Rückfrage zur Bestellung", "Jürgen Müller", "die Lieferung für unser Büro ist unvollständig")]
    public async Task Legacy_charsets_without_a_declared_charset_are_decoded_in_subject_sender_name_and_text(string sample, string subject, string name, string text)
    {
        var outcome = await _desk.IngestAsync(Sample(sample, NewRun()));

        outcome.Outcome.Should().Be(MailOutcome.Created, outcome.Reason);
        (await _desk.DbAsync(db => db.Tickets.Where(t => t.Number == outcome.Ticket).Select(t => t.Subject).SingleAsync())).Should().Be(subject);
        var article = (await _desk.SendAsync(new GetArticles(outcome.Ticket!.Value))).Single();
        article.AuthorName.Should().Be(name);
        article.BodyText.Should().Contain(text);
    }

    [Theory]
    [InlineData("gateway-banner.eml", Entry.Pipeline, 0)]
    [InlineData("gateway-banner.eml", Entry.Http, 0)]
    [InlineData("gateway-banner.eml", Entry.Cli, 0)]
    [InlineData("gateway-banner.eml", Entry.Native, 0)]
    [InlineData("gateway-banner-folded.eml", Entry.Pipeline, 0)]
    [InlineData("not-mail.txt", Entry.Http, 65)]
    [InlineData("not-mail.txt", Entry.Cli, 65)]
    [InlineData("not-mail.txt", Entry.Native, 65)]
    public async Task Only_input_without_any_header_is_refused_as_not_mail_and_every_entry_agrees(string sample, Entry entry, int expectedExit)
    {
        var run = NewRun();
        var raw = Sample(sample, run);
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(raw));

        var (exit, outcome) = await SendAsync(entry, raw);

        exit.Should().Be(expectedExit);
        if (expectedExit == 65)
        {
            (await _desk.DbAsync(db => db.Set<InboundMail>().CountAsync(m => m.Sha256 == sha))).Should().Be(0, "nothing is stored");
            return;
        }
        outcome!.Outcome.Should().Be(MailOutcome.Created, outcome.Reason);
        var stored = await _desk.DbAsync(db => db.Set<InboundMail>().SingleAsync(m => m.ArticleId == outcome.Article));
        stored.MessageId.Should().Be($"gateway.{run}@customer.example");
        var article = (await _desk.SendAsync(new GetArticles(outcome.Ticket!.Value))).Single();
        article.AuthorEmail.Should().Be($"paul.{run}@customer.example");
        article.BodyText.Should().Contain("The scanner in room 4 does not send e-mail any more.");
        article.Mail!.Notes.Should().Contain("---- Original email message ----", "the banner above the headers is shown, not dropped");
    }

    [Theory]
    [InlineData("Some Name some.{run}@customer.example", "some.{run}@customer.example", "Some Name")]
    [InlineData("\"Some Name\" some.{run}@customer.example", "some.{run}@customer.example", "Some Name")]
    [InlineData("Doe, John john.{run}@customer.example", "john.{run}@customer.example", "Doe, John")]
    [InlineData("some.{run}@customer.example (Some Name)", "some.{run}@customer.example", "Some Name")]
    [InlineData("Doe, John <john.{run}@customer.example>", "john.{run}@customer.example", "Doe, John")]
    public async Task A_sender_written_without_angle_brackets_is_taken_with_its_name_instead_of_quarantined(string from, string address, string name)
    {
        var run = NewRun();

        var outcome = await _desk.IngestAsync(Mime.Message(from: from.Replace("{run}", run), subject: "Sender " + run));

        outcome.Outcome.Should().Be(MailOutcome.Created, outcome.Reason);
        var article = (await _desk.SendAsync(new GetArticles(outcome.Ticket!.Value))).Single();
        article.AuthorEmail.Should().Be(address.Replace("{run}", run));
        article.AuthorName.Should().Be(name);
    }
}

/// <summary>The mbox envelope class through IMAP: the fetcher hands the exact bytes to the same pipeline.</summary>
[Collection(MailServerCollection.Name)]
public sealed class ImapParsingTests(MailServerFixture servers)
{
    private readonly ImapProbe _imap = new(servers);

    [Fact]
    public async Task An_mbox_envelope_line_fetched_over_IMAP_keeps_the_message_id_so_a_redelivery_is_a_duplicate_and_a_reply_threads()
    {
        var folder = $"mbox-{Guid.NewGuid():N}"[..12];
        await _imap.CreateFolderAsync("support", folder);
        using var desk = new MailDeskFactory(new Dictionary<string, string?>
        {
            ["HelpDesk:Mail:Imap:0:Name"] = "support", ["HelpDesk:Mail:Imap:0:Host"] = "127.0.0.1", ["HelpDesk:Mail:Imap:0:Port"] = servers.ImapPort.ToString(),
            ["HelpDesk:Mail:Imap:0:UseTls"] = "false", ["HelpDesk:Mail:Imap:0:Username"] = "support", ["HelpDesk:Mail:Imap:0:Password"] = MailServers.Password,
            ["HelpDesk:Mail:Imap:0:Folder"] = folder, ["HelpDesk:Mail:Imap:0:Team"] = "support", ["HelpDesk:Mail:IdleSeconds"] = "20",
        });
        _ = desk.Services;
        await desk.EnsureTeamAsync("support");
        var run = Guid.NewGuid().ToString("N")[..12];
        byte[] Sample(string name) => Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(
            File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Samples", "Parsing", name))).Replace("{run}", run));
        var first = Sample("mbox-envelope.eml");

        await _imap.AppendRawAsync("support", folder, first);
        var created = await Eventually.WaitAsync(() => desk.DbAsync(db => db.Set<InboundMail>().FirstOrDefaultAsync(m => m.Outcome == MailOutcome.Created)), "the ticket");
        created.MessageId.Should().Be($"mbox-first.{run}@customer.example");
        created.Raw.Should().Equal(first, "the IMAP server kept the envelope line and so did we");

        await _imap.AppendRawAsync("support", folder, Encoding.Latin1.GetBytes(Encoding.Latin1.GetString(first).Replace("Mon Jan  1 00:00:00 2026", "Tue Jan  2 08:30:00 2026")));
        await _imap.AppendRawAsync("support", folder, Sample("mbox-envelope-reply.eml"));
        var appended = await Eventually.WaitAsync(() => desk.DbAsync(db => db.Set<InboundMail>().FirstOrDefaultAsync(m => m.Outcome == MailOutcome.Appended)), "the reply");
        appended.TicketNumber.Should().Be(created.TicketNumber, "the reply threads by In-Reply-To");
        await Eventually.UntilAsync(async () => (await _imap.FlagsAsync("support", folder)).Acknowledged == 3, "all three acknowledged");
        (await desk.DbAsync(db => db.Tickets.CountAsync())).Should().Be(1, "the redelivery is a duplicate, not a second ticket");
        (await desk.DbAsync(db => db.Set<InboundMail>().CountAsync())).Should().Be(2);
    }
}
