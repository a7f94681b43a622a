using System.Text;
using System.Text.RegularExpressions;
using System.Text.Unicode;
using HelpDesk.Application.Mail;
using HelpDesk.Domain.Common;
using MimeKit;
using UtfUnknown;

namespace HelpDesk.Mail.Inbound;

/// <summary>
/// The one home of "what is this message?" for every entry (IMAP, POST /mailgate, <c>helpdesk mailgate</c>, and through
/// those the native helpdesk-mailgate): where its header block starts (an mbox envelope line or a gateway's banner above
/// it is skipped), whether it is mail at all (mailgate exit 65 only when no header field can be recognised), its
/// Message-ID, and the parse itself with what MimeKit leaves to the caller: legacy charsets in raw 8-bit headers and
/// in bodies without a declared charset (detected with UTF.Unknown), and a sender written without angle brackets.
/// The stored bytes are never changed; only the parsed message is. docs/email.md, "What the parser accepts".
/// </summary>
public static partial class MailParsing
{
    /// <summary>
    /// How far below the start a header block is looked for: the lines above it are an envelope or a gateway's banner
    /// (one or two lines in practice), never a body, so a body with quoted headers further down is not mistaken for mail.
    /// </summary>
    public const int MaxPreambleLines = 5, MaxPreambleBytes = 4096;

    /// <summary>
    /// The offset of the message's header block: the first line that is a field name and a colon, when it is the first
    /// line, or within <see cref="MaxPreambleLines"/> lines below it with a second header field (or a folded line) following it. The lines
    /// above it (an mbox <c>From sender date</c> envelope, a gateway's <c>---- Original email message ----</c>, blank
    /// lines) and a UTF-8 byte order mark are not part of the message (<see cref="Preamble"/>). -1 when there is none.
    /// </summary>
    public static int HeaderStart(ReadOnlySpan<byte> raw)
    {
        var offset = raw.StartsWith("\uFEFF"u8) ? 3 : 0;
        for (var line = 0; line <= MaxPreambleLines && offset < raw.Length && offset <= MaxPreambleBytes; line++)
        {
            var rest = raw[offset..];
            if (IsHeaderField(rest) && (line == 0 || ContinuesHeaderBlock(rest[(rest.IndexOf((byte)'\n') + 1)..]))) return offset;
            var nl = rest.IndexOf((byte)'\n');
            if (nl < 0) break;
            offset += nl + 1;
        }
        return -1;
    }

    /// <summary>
    /// What stood above the header block besides blank lines and an mbox envelope line (a gateway's banner): kept in
    /// the stored bytes and shown as a note of the article, never silently dropped. Null when there is nothing.
    /// </summary>
    public static string? Preamble(byte[] raw)
    {
        var start = HeaderStart(raw);
        if (start <= 0) return null;
        var lines = Encoding.UTF8.GetString(raw, 0, start).TrimStart('\uFEFF').Split('\n').Select(l => l.Trim()).ToList();
        if (lines.Count > 0 && lines[0].StartsWith("From ", StringComparison.Ordinal)) lines.RemoveAt(0);
        var text = string.Join("\n", lines.Where(l => l.Length > 0));
        return text.Length == 0 ? null : text;
    }

    // The line after a header field is another field or the folded rest of this one.
    private static bool ContinuesHeaderBlock(ReadOnlySpan<byte> next) => next.Length > 0 && (next[0] is (byte)' ' or (byte)'\t' || IsHeaderField(next));

    // A line that is a header field's name and a colon (the line ends at the first LF; a header line is at most 998 bytes).
    private static bool IsHeaderField(ReadOnlySpan<byte> rest)
    {
        var nl = rest.IndexOf((byte)'\n');
        var line = rest[..(nl >= 0 ? nl : rest.Length)];
        return HeaderLine().IsMatch(Encoding.Latin1.GetString(line[..Math.Min(line.Length, 1000)]));
    }

    /// <summary>Input that is mail (else the mailgate exits 65): some header field can be recognised near its start.</summary>
    public static bool LooksLikeMail(ReadOnlySpan<byte> raw) => HeaderStart(raw) >= 0;

    /// <summary>
    /// The most bytes a message's header block may take: Postfix's <c>header_size_limit</c> (102,400), so nothing an MTA
    /// passes on is refused. MimeKit's time to read a header grows with the square of its folded lines (a 500 KB header
    /// of 64,000 folds takes about a second each time it is read, and a message was read up to four times), which under
    /// load made one message take longer than a minute (found by the fuzzer on PostgreSQL, docs/reliability.md).
    /// A longer block is not handed to MimeKit whole: <see cref="Parse"/> refuses it (the message is quarantined as too
    /// large), <see cref="ReadHeaders"/> reads only its first <see cref="MaxHeaderBytes"/>.
    /// </summary>
    public const int MaxHeaderBytes = 102_400;

    /// <summary>The length of the header block starting at <paramref name="start"/>, up to its ending blank line (or the end).</summary>
    public static int HeaderBlockLength(ReadOnlySpan<byte> raw, int start)
    {
        var rest = raw[start..];
        if (rest.StartsWith("\r\n"u8) || rest.StartsWith("\n"u8)) return 0;
        var crlf = rest.IndexOf("\n\r\n"u8);
        var lf = rest.IndexOf("\n\n"u8);
        var end = crlf < 0 ? lf : lf < 0 ? crlf : Math.Min(crlf, lf);
        return end < 0 ? rest.Length : end + 1;
    }

    /// <summary>
    /// The top-level header fields as MimeKit reads them, from at most the first <see cref="MaxHeaderBytes"/> of the header
    /// block (the lines above it skipped); null when there is no header block or it cannot be read. For what is read
    /// before or beside the parse: the Message-ID, the triage list's From and Subject.
    /// </summary>
    public static HeaderList? ReadHeaders(byte[] raw)
    {
        var start = HeaderStart(raw);
        if (start < 0) return null;
        try
        {
            return HeaderList.Load(new MemoryStream(raw, start, Math.Min(raw.Length - start, MaxHeaderBytes), writable: false));
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The normalised Message-ID of the header block, or null (no header block, no Message-ID, unreadable).</summary>
    public static string? ReadMessageId(byte[] raw) => MessageIds.Normalise(ReadHeaders(raw)?[HeaderId.MessageId]);

    /// <summary>
    /// Parses the message from its header block on: raw 8-bit header text is decoded with the charset detected for the
    /// message (MimeKit's <see cref="ParserOptions.CharsetEncoding"/>), a text body without a declared charset gets the
    /// charset detected for it, and a From written as <c>Name address</c> becomes that mailbox.
    /// </summary>
    /// <exception cref="FormatException">No header block, or one MimeKit cannot read.</exception>
    /// <exception cref="UnusableMail">A header block longer than <see cref="MaxHeaderBytes"/>.</exception>
    public static MimeMessage Parse(byte[] raw, int maxMimeDepth, CancellationToken ct)
    {
        var start = HeaderStart(raw);
        if (start < 0) throw new FormatException("no header field could be recognised: this is not a mail message");
        if (HeaderBlockLength(raw, start) is var length and > MaxHeaderBytes)
            throw new UnusableMail(QuarantineReason.TooLarge, $"the header block has {length} bytes, more than the {MaxHeaderBytes} a message may have (Postfix's header_size_limit)");
        var options = new ParserOptions { MaxMimeDepth = maxMimeDepth };
        var message = MimeMessage.Load(options, Stream(raw, start), ct);
        if (HeaderCharset(message) is { } charset)
        {
            options.CharsetEncoding = charset;
            message = MimeMessage.Load(options, Stream(raw, start), ct);
            DecodeAddressHeaders(message, charset);
        }
        foreach (var (part, content) in UndeclaredBodies(message))
            if (Detect(content) is { } detected) part.ContentType.Charset = detected.Encoding.WebName;
        RecoverSender(message);
        return message;
    }

    private static MemoryStream Stream(byte[] raw, int start) => new(raw, start, raw.Length - start, writable: false);

    /// <summary>
    /// The charset of raw 8-bit header text that is not UTF-8 (MimeKit tries UTF-8 first, then this): detected over those
    /// header values and the message's undeclared 8-bit bodies together (a display name alone is too short to tell
    /// GBK from Shift-JIS); when that is unsure, the legacy charset a text part declares. Null when there is nothing to decide.
    /// </summary>
    private static Encoding? HeaderCharset(MimeMessage message)
    {
        using var sample = new MemoryStream();
        foreach (var header in message.Headers)
            if (header.RawValue.AsSpan().ContainsAnyInRange((byte)0x80, (byte)0xff) && !Utf8.IsValid(header.RawValue))
                sample.Write(header.RawValue);
        if (sample.Length == 0) return null;
        foreach (var (_, content) in UndeclaredBodies(message)) sample.Write(content);
        var detected = Detect(sample.ToArray());
        if (detected is { Confidence: >= 0.9f }) return detected.Encoding;
        var declared = message.BodyParts.OfType<TextPart>().Select(p => p.ContentType.Charset)
            .FirstOrDefault(c => c is not null && !c.Equals("us-ascii", StringComparison.OrdinalIgnoreCase) && !c.StartsWith("utf", StringComparison.OrdinalIgnoreCase));
        if (declared is not null)
        {
            try { return Encoding.GetEncoding(declared); }
            catch (ArgumentException) { }
        }
        return detected?.Encoding;
    }

    /// <summary>
    /// MimeKit decodes a display name's raw 8-bit words one at a time, so a Shift-JIS name whose second bytes are ASCII
    /// letters comes apart; the address headers with raw 8-bit text are decoded whole with the message's charset and
    /// then read as addresses.
    /// </summary>
    private static void DecodeAddressHeaders(MimeMessage message, Encoding charset)
    {
        foreach (var (id, list) in new[] { (HeaderId.From, message.From), (HeaderId.ReplyTo, message.ReplyTo), (HeaderId.To, message.To), (HeaderId.Cc, message.Cc) })
        {
            if (message.Headers.FirstOrDefault(h => h.Id == id) is not { } header || !header.RawValue.AsSpan().ContainsAnyInRange((byte)0x80, (byte)0xff) || Utf8.IsValid(header.RawValue)) continue;
            if (!InternetAddressList.TryParse(charset.GetString(header.RawValue).Trim(), out var decoded)) continue;
            list.Clear();
            list.AddRange(decoded);
        }
    }

    /// <summary>Text bodies (not attachments) with no charset parameter whose bytes are not plain ASCII or UTF-8: 8-bit, or 7-bit with ISO-2022 escapes.</summary>
    private static IEnumerable<(TextPart Part, byte[] Content)> UndeclaredBodies(MimeMessage message)
    {
        foreach (var part in message.BodyParts.OfType<TextPart>())
        {
            if (part.IsAttachment || part.ContentType.Charset is not null || part.Content is null) continue;
            using var buffer = new MemoryStream();
            part.Content.DecodeTo(buffer);
            var content = buffer.ToArray();
            var eightBit = content.AsSpan().ContainsAnyInRange((byte)0x80, (byte)0xff);
            if (eightBit ? !Utf8.IsValid(content) : content.AsSpan().Contains((byte)0x1b)) yield return (part, content);
        }
    }

    private static DetectionDetail? Detect(byte[] bytes) =>
        CharsetDetector.DetectFromBytes(bytes).Detected is { Encoding: not null } d ? d : null;

    /// <summary>
    /// A From with no mailbox MimeKit can read, written as <c>Some Name someone@example.com</c> (no angle brackets,
    /// perhaps an unquoted comma in the name), becomes that mailbox, as mail clients and other desks read it. Forms
    /// MimeKit reads itself (<c>someone@example.com (Some Name)</c>, <c>Doe, John &lt;john@example.com&gt;</c>) are left to it.
    /// </summary>
    private static void RecoverSender(MimeMessage message)
    {
        if (message.From.Mailboxes.Any(m => EmailAddress.IsValid(m.Address))) return;
        if (message.Headers[HeaderId.From] is not { } value) return;
        var match = BareAddress().Matches(value).LastOrDefault(m => EmailAddress.IsValid(m.Groups["address"].Value));
        if (match is null) return;
        var name = (value[..match.Index] + " " + value[(match.Index + match.Length)..]).Trim().Trim('"', '\'', ',', ';', ' ', '\t').Trim();
        message.From.Clear();
        message.From.Add(new MailboxAddress(name.Length == 0 ? null : name, match.Groups["address"].Value));
    }

    [GeneratedRegex(@"^[\x21-\x39\x3B-\x7E]+[ \t]*:")]
    private static partial Regex HeaderLine();

    [GeneratedRegex(@"<?(?<address>[^\s<>()\[\],;:""]+@[^\s<>()\[\],;:""]+)>?")]
    private static partial Regex BareAddress();
}
