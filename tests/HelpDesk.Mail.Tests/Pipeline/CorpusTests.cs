using HelpDesk.Application.Mail;
using HelpDesk.Application.Tickets.GetArticles;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Mail.Tests.Pipeline;

/// <summary>Every message of the shared MIME corpus is stored raw, then ingested or quarantined with a reason; nothing escapes.</summary>
public sealed class MimeCorpusTests(DeskFixture fixture) : IClassFixture<DeskFixture>
{
    private readonly MailDeskFactory _desk = fixture.Desk;

    public static IEnumerable<object[]> Messages => Corpus.Files("mime");

    // What we expect of the messages whose nature is known; the rest must at least be stored and accounted for.
    private static readonly Dictionary<string, string[]> Expected = new()
    {
        ["bounce.txt"] = [MailOutcome.Bounce],
        ["delivery-status.txt"] = [MailOutcome.Bounce],
        ["delivery-status2.txt"] = [MailOutcome.Bounce],
        ["delivery-status-multiple-blank-lines.txt"] = [MailOutcome.Bounce],
        ["delivery-status-no-blank-line.txt"] = [MailOutcome.Bounce],
        ["delivery-status.anonymized.eml"] = [MailOutcome.Bounce],
        ["disposition-notification.txt"] = [MailOutcome.AutoReply],
        ["disposition-notification.anonymized.eml"] = [MailOutcome.AutoReply],
        ["feedback-report.txt"] = [MailOutcome.AutoReply],
        ["japanese.txt"] = [MailOutcome.Created],
        ["simple-multipart.eml"] = [MailOutcome.Created],
        ["multipart-related-mhtml.txt"] = [MailOutcome.Created, MailOutcome.Quarantined],
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public async Task Each_message_is_stored_then_ingested_or_quarantined_with_a_reason(string file)
    {
        var raw = await File.ReadAllBytesAsync(Corpus.PathOf(file));
        var mailbox = "corpus-" + Path.GetFileName(file);
        var outcome = await _desk.IngestAsync(raw, mailbox);

        var stored = await _desk.DbAsync(db => db.Set<InboundMail>().SingleAsync(m => m.Mailbox == mailbox));
        stored.Raw.Should().Equal(raw, "the exact bytes are kept");
        stored.State.Should().NotBe(InboundState.Stored, "processing finished one way or the other");
        stored.Outcome.Should().Be(outcome.Outcome);
        if (outcome.Outcome == MailOutcome.Quarantined) outcome.Reason.Should().NotBeNullOrWhiteSpace();
        if (Expected.TryGetValue(Path.GetFileName(file), out var allowed)) outcome.Outcome.Should().BeOneOf(allowed);
        if (outcome.Outcome is MailOutcome.Created or MailOutcome.Appended)
        {
            var articles = await _desk.SendAsync(new GetArticles(outcome.Ticket!.Value));
            articles.Should().Contain(a => a.Id == outcome.Article);
        }
        (await _desk.IngestAsync(raw, mailbox)).Outcome.Should().Be(MailOutcome.Duplicate);
    }

    [Fact]
    public async Task Legacy_charsets_are_decoded()
    {
        var outcome = await _desk.IngestAsync(await File.ReadAllBytesAsync(Corpus.PathOf("mime/japanese.txt")), "charset-check");
        var article = (await _desk.SendAsync(new GetArticles(outcome.Ticket!.Value))).Single();
        article.BodyText.Should().MatchRegex(@"[\u3040-\u30ff\u4e00-\u9fff]", "ISO-2022-JP text becomes Japanese characters");
    }

    [Fact]
    public async Task A_message_nested_beyond_the_depth_limit_never_escapes_as_an_exception()
    {
        var outcome = await _desk.IngestAsync(await File.ReadAllBytesAsync(Corpus.PathOf("mime/stack-overflow.txt")), "depth-check");
        outcome.Outcome.Should().BeOneOf(MailOutcome.Created, MailOutcome.Quarantined);
    }
}

/// <summary>Quote detection over the shared reply corpus: the new text is found and nothing is ever deleted.</summary>
public sealed class ReplyCorpusTests(DeskFixture fixture) : IClassFixture<DeskFixture>
{
    private readonly MailDeskFactory _desk = fixture.Desk;

    public static IEnumerable<object[]> Replies => Corpus.Files("replies/github").Concat(Corpus.Files("replies/crisp"));

    [Theory]
    [MemberData(nameof(Replies))]
    public async Task The_full_text_is_stored_and_the_split_leaves_new_text_first(string file)
    {
        var text = (await File.ReadAllTextAsync(Corpus.PathOf(file))).ReplaceLineEndings("\n");
        var outcome = await _desk.IngestAsync(Mime.Message(from: "reply@example.test", subject: "Re: corpus " + Path.GetFileName(file), body: text));
        var article = (await _desk.SendAsync(new GetArticles(outcome.Ticket!.Value))).Single(a => a.Id == outcome.Article);

        Normalise(article.BodyText).Should().Be(Normalise(text), "quote detection never deletes text");
        if (article.Mail!.QuoteStartsAt is { } at)
        {
            at.Should().BeInRange(1, article.BodyText.Length - 1);
            article.Mail.NewText.Should().NotBeNullOrWhiteSpace();
            article.BodyText.StartsWith(article.Mail.NewText!, StringComparison.Ordinal).Should().BeTrue();
        }
    }

    [Theory]
    [InlineData("replies/github/email_1_2.txt", "Hi,", "On Tue, 2011-03-01 at 18:02 +0530, Abhishek Kona wrote:")]
    [InlineData("replies/github/email_1_3.txt", "Oh thanks.", "On ")]
    [InlineData("replies/github/email_2_1.txt", "Outlook with a reply", "*From:* Google Apps Sync Team")]
    [InlineData("replies/crisp/email_2.txt", null, null)]
    public void The_new_text_is_identified(string file, string? newTextStarts, string? quoteStarts)
    {
        var text = File.ReadAllText(Corpus.PathOf(file)).ReplaceLineEndings("\n");
        var at = QuoteDetector.FindQuoteStart(text);
        if (quoteStarts is null) return;
        at.Should().NotBeNull();
        text[..at!.Value].TrimStart().Should().StartWith(newTextStarts!);
        text[at.Value..].TrimStart().Should().StartWith(quoteStarts);
    }

    [Theory]
    [InlineData("Thanks, that fixed it.\n\nOn Mon, 2 Mar 2026 at 09:00, Support <support@helpdesk.test> wrote:\n> Please try again.\n", "Thanks, that fixed it.")]
    [InlineData("Merci !\n\nLe lun. 2 mars 2026 à 09:00, Support <support@helpdesk.test> a écrit :\n> Essayez encore.\n", "Merci !")]
    [InlineData("Danke.\n\nAm 02.03.2026 um 09:00 schrieb Support <support@helpdesk.test>:\n> Bitte erneut versuchen.\n", "Danke.")]
    [InlineData("Works now.\n\nFrom: Support <support@helpdesk.test>\nSent: Monday, March 2, 2026 9:00 AM\nTo: Maria\nSubject: Re: login\n\nPlease try again.\n", "Works now.")]
    [InlineData("Done.\n\n-----Original Message-----\nFrom: Support\n", "Done.")]
    public void Common_clients_quote_headers_are_found(string text, string newText)
    {
        var at = QuoteDetector.FindQuoteStart(text);
        at.Should().NotBeNull();
        text[..at!.Value].Trim().Should().Be(newText);
    }

    [Theory]
    [InlineData("I wrote: the code below fails\n$ make\n> error 1\nwhat now?")]
    [InlineData("Please see https://example.test/wrote: for details.")]
    public void Text_that_merely_looks_like_a_quote_is_kept_as_new_text(string text) =>
        QuoteDetector.FindQuoteStart(text).Should().BeNull();

    private static string Normalise(string s) => s.ReplaceLineEndings("\n").TrimEnd();
}
