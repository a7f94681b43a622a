using HelpDesk.Application.Tickets.GetArticles;
using HelpDesk.Application.Tickets.GetTicket;
using HelpDesk.Mail.Tests.Infrastructure;

namespace HelpDesk.Mail.Tests.Pipeline;

/// <summary>Hostile HTML, subjects, names and file names: the HTML agents get contains none of it; the rest stays data.</summary>
public sealed class XssTests(DeskFixture fixture) : IClassFixture<DeskFixture>
{
    private readonly MailDeskFactory _desk = fixture.Desk;

    public static TheoryData<string> Payloads => new()
    {
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.test/x.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<body onload=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
        "<a href=\"java&#x09;script:alert(1)\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<svg onload=alert(1)><circle r=1 /></svg>",
        "<svg><script>alert(1)</script></svg>",
        "<div style=\"width: expression(alert(1))\">x</div>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<iframe src=\"https://evil.test\"></iframe>",
        "<form action=\"https://evil.test\"><input name=p></form>",
        "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<base href=\"javascript:alert(1)//\">",
    };

    private static readonly string[] Forbidden =
        ["<script", "onerror", "onload", "javascript:", "vbscript:", "expression(", "<iframe", "<form", "<input", "<svg", "<object", "<embed", "<meta", "<base", "data:text"];

    [Theory]
    [MemberData(nameof(Payloads))]
    public async Task Stored_HTML_for_agents_contains_no_active_content(string payload)
    {
        var outcome = await _desk.IngestAsync(Mime.Html($"<p>Hello</p>{payload}<p>Bye</p>", subject: "Subject " + payload,
            from: $"\"{payload.Replace("\"", "'")}\" <xss@example.test>", attachmentName: "<img src=x onmouseover=alert(1)>.pdf"));
        outcome.Ticket.Should().NotBeNull();
        var article = (await _desk.SendAsync(new GetArticles(outcome.Ticket!.Value))).Single();
        var html = article.BodyHtml ?? "";
        foreach (var bad in Forbidden) html.Should().NotContainEquivalentOf(bad);
        html.Should().Contain("Hello");
        var withImages = (await _desk.SendAsync(new GetArticles(outcome.Ticket!.Value, RemoteImages: true))).Single().BodyHtml ?? "";
        foreach (var bad in Forbidden) withImages.Should().NotContainEquivalentOf(bad);
        // Subjects, names and file names are kept as data (JSON-encoded on output), not interpreted.
        (await _desk.SendAsync(new GetTicket(outcome.Ticket.Value))).Subject.Should().StartWith("Subject ");
        article.Attachments!.Single().FileName.Should().Contain("onmouseover");
    }

    [Fact]
    public async Task Remote_images_are_blocked_by_default_and_cid_images_point_at_the_attachment()
    {
        var raw = string.Join("\r\n",
            "From: maria@example.test", "To: support@helpdesk.test", "Subject: Screenshot", $"Message-ID: {Mime.NewId()}", "MIME-Version: 1.0",
            "Content-Type: multipart/related; boundary=\"r\"", "",
            "--r", "Content-Type: text/html; charset=utf-8", "",
            "<p><img src=\"https://tracker.example.test/p.gif\"><img src=\"cid:shot@x\"></p>", "",
            "--r", "Content-Type: image/png", "Content-ID: <shot@x>", "Content-Transfer-Encoding: base64", "",
            Convert.ToBase64String(new byte[] { 137, 80, 78, 71 }), "--r--", "");
        var outcome = await _desk.IngestAsync(raw);
        var article = (await _desk.SendAsync(new GetArticles(outcome.Ticket!.Value))).Single();
        var attachment = article.Attachments!.Single();
        article.BodyHtml.Should().NotContain(" src=\"https://tracker").And.Contain($"src=\"/api/v1/tickets/{outcome.Ticket}/attachments/{attachment.Id}\"");
        article.Mail!.RemoteImagesBlocked.Should().BeTrue();
        (await _desk.SendAsync(new GetArticles(outcome.Ticket!.Value, RemoteImages: true))).Single().BodyHtml.Should().Contain("src=\"https://tracker.example.test/p.gif\"");
    }
}
