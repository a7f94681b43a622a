using System.Security.Cryptography;
using System.Text;
using HelpDesk.Application.Tickets.GetArticles;
using HelpDesk.Mail.Tests.Infrastructure;

namespace HelpDesk.Mail.Tests.Pipeline;

/// <summary>Outlook's winmail.dat (application/ms-tnef) is expanded: its body and files become the article's.</summary>
public sealed class TnefTests(DeskFixture fixture) : IClassFixture<DeskFixture>
{
    private readonly MailDeskFactory _desk = fixture.Desk;

    [Fact]
    public async Task A_winmail_dat_is_expanded_into_its_text_and_attachments()
    {
        var log = Encoding.ASCII.GetBytes("E42 paper jam in tray 2");
        var tnef = Tnef("The printer shows error 42.", "printer-log.txt", log);
        var raw = string.Join("\r\n",
            "From: Outlook User <outlook@example.test>",
            "To: support@example.com",
            "Subject: Printer error",
            $"Message-ID: {Mime.NewId()}",
            "MIME-Version: 1.0",
            "Content-Type: application/ms-tnef; name=\"winmail.dat\"",
            "Content-Disposition: attachment; filename=\"winmail.dat\"",
            "Content-Transfer-Encoding: base64",
            "",
            Convert.ToBase64String(tnef, Base64FormattingOptions.InsertLineBreaks),
            "");

        var outcome = await _desk.IngestAsync(raw);

        outcome.Outcome.Should().Be("created");
        var article = (await _desk.SendAsync(new GetArticles(outcome.Ticket!.Value))).Single();
        article.BodyText.Should().Contain("The printer shows error 42.");
        var file = article.Attachments.Should().ContainSingle().Subject;
        file.FileName.Should().Be("printer-log.txt");
        file.Size.Should().Be(log.Length);
        file.Sha256.Should().BeEquivalentTo(Convert.ToHexString(SHA256.HashData(log)));
    }

    /// <summary>
    /// A minimal TNEF stream (MS-OXTNEF): signature, key, then attributes (level, id | type &lt;&lt; 16, length, data,
    /// checksum = sum of the data bytes): version, message class, body, and one attached file.
    /// </summary>
    private static byte[] Tnef(string body, string fileName, byte[] data)
    {
        using var stream = new MemoryStream();
        using var w = new BinaryWriter(stream);
        w.Write(0x223E9F78u);
        w.Write((ushort)0x0001);
        void Attribute(byte level, uint tag, byte[] value)
        {
            w.Write(level);
            w.Write(tag);
            w.Write((uint)value.Length);
            w.Write(value);
            ushort sum = 0;
            foreach (var b in value) sum += b;
            w.Write(sum);
        }
        static byte[] Z(string text) => Encoding.ASCII.GetBytes(text + "\0");
        const byte Message = 1, Attachment = 2;
        Attribute(Message, 0x00089006, BitConverter.GetBytes(0x00010000)); // attTnefVersion (dword)
        Attribute(Message, 0x00078008, Z("IPM.Microsoft Mail.Note")); // attMessageClass (word)
        Attribute(Message, 0x0002800C, Z(body)); // attBody (text)
        Attribute(Attachment, 0x00069002, new byte[14]); // attAttachRenddata: starts an attachment
        Attribute(Attachment, 0x00018010, Z(fileName)); // attAttachTitle (string)
        Attribute(Attachment, 0x0006800F, data); // attAttachData (bytes)
        w.Flush();
        return stream.ToArray();
    }
}
