using System.Text;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Tickets.GetArticles;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Mail.Tests.Pipeline;

/// <summary>
/// What is taken out of a parsed message (issue 11): every inline text/HTML part in order, every other part as a file
/// with a useful name. Messages of ours in <c>Samples/Extraction</c>, each a structure a mail client or gateway sends,
/// through the real pipeline; the stored article is checked.
/// </summary>
public sealed class ExtractionTests(DeskFixture fixture) : IClassFixture<DeskFixture>
{
    private readonly MailDeskFactory _desk = fixture.Desk;

    // Fragments that must appear in this order; "{ticket}" and "{file:NAME}" stand for the ticket number and that attachment's id. No HTML: null.
    private static readonly Dictionary<string, (string[] Text, string[]? Html)> Bodies = new()
    {
        ["text-then-html-signature.eml"] = (
            ["The printer on floor 3 is offline again since this morning.", "Could you restart the print server?", "\n---\n", "Maria Muster", "Tel. +49 30 1234567"],
            ["The printer on floor 3 is offline again", "<hr>", "<b>Maria Muster</b>", "Tel. +49 30 1234567"]),
        ["apple-mail-mixed-inline.eml"] = (
            ["Hello, my screen flickers like this:", "[screenshot.png]", "It started after the update to version 14.2.", "Thanks, Jean"], null),
        ["apple-mail-html-split-around-image.eml"] = (
            ["The dialog says this:", "And then the app closes. Any idea?"],
            ["The dialog says this:", "<img src=\"/api/v1/tickets/{ticket}/attachments/{file:dialog.png}\" alt=\"dialog.png\">", "And then the app closes. Any idea?"]),
        ["alternative-then-gateway-disclaimer.eml"] = (
            ["The CSV export of the March statement fails with error 500.", "\n---\n", "This e-mail may contain confidential information."],
            ["The CSV export of the <i>March</i> statement", "<hr>", "This e-mail may contain confidential information."]),
        ["reply-quote-then-footer.eml"] = (
            ["Still dropping every ten minutes.", "On Mon, 2 Mar 2026 at 08:00, Support <support@helpdesk.test> wrote:", "> Please tell us.", "\n---\n", "Customer AG | Hauptstrasse 1 | Berlin"], null),
        ["alternative-picks-one.eml"] = (["The reset link has expired twice."], ["The reset link has <b>expired</b> twice."]),
        ["named-text-as-only-part.eml"] = (["The installer stops at 80 percent."], null),
    };

    // Every file of the message as "name | content type | decoded size"; none of them may appear in the body.
    private static readonly Dictionary<string, string[]> Files = new()
    {
        ["apple-mail-mixed-inline.eml"] = ["screenshot.png | image/png | 70"],
        ["apple-mail-html-split-around-image.eml"] = ["dialog.png | image/png | 70"],
        ["rfc2231-extended-filename.eml"] = ["Rechnung März 2026.pdf | application/pdf | 45"],
        ["rfc2231-continuations.eml"] = ["月次報告書 2026年3月.pdf | application/pdf | 45"],
        ["name-only-on-content-type.eml"] = ["contract-2026.pdf | application/pdf | 45"],
        ["encoded-word-in-quoted-name.eml"] = ["报价单.pdf | application/pdf | 45"],
        ["inline-disposition-with-filename.eml"] = ["label.png | image/png | 70"],
        ["octet-stream-without-disposition.eml"] = ["attachment-1.bin | application/octet-stream | 17"],
        ["attached-message-rfc822.eml"] = ["Verify your account.eml | message/rfc822 | 189"],
        ["text-plain-disposition-attachment.eml"] = ["server.log | text/plain | 92"],
        ["text-file-named-only-on-content-type.eml"] = ["Notizen für Support.txt | text/plain | 45"],
        ["unnamed-parts.eml"] = ["attachment-1.heic | image/heic | 12", "attachment-2.txt | text/x-log | 15", "attachment-3.pdf | application/pdf | 45"],
        ["text-then-html-signature.eml"] = [],
        ["named-text-as-only-part.eml"] = [],
    };

    public static IEnumerable<object[]> BodySamples => Bodies.Keys.Order(StringComparer.Ordinal).Select(f => new object[] { f });
    public static IEnumerable<object[]> FileSamples => Files.Keys.Order(StringComparer.Ordinal).Select(f => new object[] { f });

    [Theory]
    [MemberData(nameof(BodySamples))]
    public async Task Every_inline_text_part_is_stored_in_order_with_a_separator(string sample)
    {
        var (ticket, article) = await IngestAsync(sample);
        var (text, html) = Bodies[sample];

        ShouldContainInOrder(article.BodyText.ReplaceLineEndings("\n"), text, ticket, article);
        if (html is null) article.BodyHtml.Should().BeNull("the message has no HTML part");
        else ShouldContainInOrder(article.BodyHtml!, html, ticket, article);
    }

    [Theory]
    [MemberData(nameof(FileSamples))]
    public async Task Every_other_part_arrives_as_a_file_named_as_sent_or_by_its_type(string sample)
    {
        var (_, article) = await IngestAsync(sample);

        article.Attachments!.Select(a => $"{a.FileName} | {a.ContentType} | {a.Size}").Should().BeEquivalentTo(Files[sample]);
        article.Attachments!.Should().NotContain(a => a.RefusedReason != null || a.Url == null);
        foreach (var file in article.Attachments!.Where(a => a.ContentType == "text/plain"))
        {
            var content = await _desk.DbAsync(db => db.Set<MailAttachment>().Where(a => a.Id == file.Id).Select(a => a.Content!).SingleAsync());
            article.BodyText.Should().NotContain(Encoding.UTF8.GetString(content).Trim(), $"{file.FileName} is a file, not body text");
        }
    }

    [Fact]
    public async Task An_alternative_contributes_one_rendition_to_each_body()
    {
        var (_, article) = await IngestAsync("alternative-picks-one.eml");

        article.BodyText.Trim().Should().Be("The reset link has expired twice.");
        article.BodyHtml.Should().NotContain("<hr>");
    }

    [Fact]
    public async Task Quote_detection_on_an_assembled_body_marks_the_quote_and_keeps_the_parts_after_it()
    {
        var (_, article) = await IngestAsync("reply-quote-then-footer.eml");

        article.Mail!.NewText.Should().Be("Still dropping every ten minutes.");
        article.BodyText[article.Mail.QuoteStartsAt!.Value..].Should().StartWith("On Mon, 2 Mar 2026").And.Contain("Customer AG | Hauptstrasse 1 | Berlin");
    }

    [Fact]
    public async Task A_file_name_longer_than_its_column_is_shortened_and_keeps_its_extension()
    {
        var (_, article) = await IngestAsync("very-long-filename.eml");

        var file = article.Attachments.Should().ContainSingle().Subject;
        file.FileName.Length.Should().BeLessThanOrEqualTo(400);
        file.FileName.Should().StartWith("Protokoll der Sitzung über die Migration").And.EndWith(".pdf");
        file.Size.Should().Be(45);
    }

    private async Task<(int Ticket, ArticleDto Article)> IngestAsync(string sample)
    {
        var outcome = await _desk.IngestAsync(await File.ReadAllBytesAsync(Corpus.SamplePath(Path.Combine("Extraction", sample))), $"extraction-{Guid.NewGuid():N}");
        outcome.Outcome.Should().Be("created", outcome.Reason);
        var article = (await _desk.SendAsync(new GetArticles(outcome.Ticket!.Value))).Single(a => a.Id == outcome.Article);
        return (outcome.Ticket.Value, article);
    }

    private static void ShouldContainInOrder(string body, IEnumerable<string> fragments, int ticket, ArticleDto article)
    {
        var at = 0;
        foreach (var fragment in fragments)
        {
            var expected = fragment.Replace("{ticket}", ticket.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            foreach (var file in article.Attachments!) expected = expected.Replace($"{{file:{file.FileName}}}", file.Id.ToString(), StringComparison.Ordinal);
            var found = body.IndexOf(expected, at, StringComparison.Ordinal);
            found.Should().BeGreaterThanOrEqualTo(0, $"\"{expected}\" should follow position {at} in:\n{body}");
            at = found + expected.Length;
        }
    }
}
