using System.Security.Cryptography;
using MimeKit;

namespace HelpDesk.Mail.Inbound;

/// <summary>
/// The files of one message: every leaf part that is not used as body, named (see docs/email.md, "Attachment
/// names"), hashed and checked against the size limits. A refused file keeps its metadata and the article gets a note.
/// </summary>
internal sealed class MailFiles(long maxAttachmentBytes, long maxTotalBytes, List<string> notes)
{
    /// <summary>The widths of the stored columns (MailAttachment.FileName, ContentType): a longer value would fail the whole message on PostgreSQL.</summary>
    internal const int MaxFileNameLength = 400, MaxContentTypeLength = 200;

    private readonly List<ExtractedAttachment> _attachments = [];
    private long _total;

    public IReadOnlyList<ExtractedAttachment> Attachments => _attachments;

    public void Note(string note) => notes.Add(note);

    public ExtractedAttachment Add(MimePart part)
    {
        using var buffer = new MemoryStream();
        part.Content?.DecodeTo(buffer);
        return Keep(NameOf(part), part.ContentType.MimeType, buffer.ToArray(), part.ContentId, !part.IsAttachment);
    }

    /// <summary>An attached mail (message/rfc822) is kept whole, as an <c>.eml</c> file.</summary>
    public ExtractedAttachment AddMessage(MessagePart embedded)
    {
        using var buffer = new MemoryStream();
        embedded.Message?.WriteTo(buffer);
        return Keep(NameOf(embedded), "message/rfc822", buffer.ToArray(), null, false);
    }

    private ExtractedAttachment Keep(string name, string contentType, byte[] bytes, string? contentId, bool inline)
    {
        var type = contentType.Length > MaxContentTypeLength ? "application/octet-stream" : contentType.ToLowerInvariant();
        string? refused = null;
        if (bytes.Length > maxAttachmentBytes) refused = $"larger than {maxAttachmentBytes} bytes";
        else if (_total + bytes.Length > maxTotalBytes) refused = $"the message's attachments exceed {maxTotalBytes} bytes";
        if (refused is null) _total += bytes.Length;
        else notes.Add($"Attachment '{name}' ({bytes.Length} bytes) was not stored: {refused}.");
        var file = new ExtractedAttachment(Guid.CreateVersion7(), name, type, bytes.Length, Convert.ToHexStringLower(SHA256.HashData(bytes)),
            contentId, inline, refused is null ? bytes : null, refused);
        _attachments.Add(file);
        return file;
    }

    /// <summary>
    /// The name the sender gave (Content-Disposition <c>filename</c>, else Content-Type <c>name</c>, in any form MimeKit
    /// decodes: RFC 2231 <c>filename*=</c> and continuations, encoded-words), else a generic one whose extension comes
    /// from the content type. An attached mail is named after its subject and always ends in <c>.eml</c>.
    /// </summary>
    private string NameOf(MimeEntity part)
    {
        var given = Clean(part.ContentDisposition?.FileName ?? part.ContentType.Name);
        var ordinal = _attachments.Count + 1;
        string name;
        if (part is MessagePart embedded)
        {
            name = given ?? Clean(embedded.Message?.Subject) ?? $"message-{ordinal}";
            if (!name.EndsWith(".eml", StringComparison.OrdinalIgnoreCase)) name += ".eml";
        }
        else name = given ?? $"attachment-{ordinal}{Extension(part.ContentType)}";
        return Shorten(name);
    }

    // Control characters (a CR/LF decoded from %0D%0A) never belong in a file name; blank means unnamed.
    private static string? Clean(string? name)
    {
        if (name is null) return null;
        var cleaned = new string(name.Select(c => char.IsControl(c) ? ' ' : c).ToArray()).Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }

    private static string Shorten(string name)
    {
        if (name.Length <= MaxFileNameLength) return name;
        var ext = Path.GetExtension(name);
        if (ext.Length > 20) ext = "";
        return name[..(MaxFileNameLength - ext.Length)].TrimEnd() + ext;
    }

    /// <summary>
    /// MimeKit's table first; types it does not know still get a useful extension: text (and the machine-written
    /// message/* reports, which are text) <c>.txt</c>, an image, audio or video subtype that is a plain short word its own
    /// (image/heic: <c>.heic</c>), anything else <c>.bin</c>.
    /// </summary>
    internal static string Extension(ContentType type)
    {
        if (MimeTypes.TryGetExtension(type.MimeType, out var known)) return known;
        var media = type.MediaType.ToLowerInvariant();
        var sub = type.MediaSubtype.ToLowerInvariant();
        if (media is "text" or "message") return ".txt";
        if (media is "image" or "audio" or "video" && sub.Length is > 0 and <= 5 && sub.All(char.IsAsciiLetterOrDigit)) return "." + sub;
        return ".bin";
    }
}
