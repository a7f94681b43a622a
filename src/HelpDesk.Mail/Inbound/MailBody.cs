using System.Net;
using MimeKit;
using MimeKit.Text;
using MimeKit.Tnef;

namespace HelpDesk.Mail.Inbound;

/// <summary>
/// What the customer wrote, assembled from the MIME tree (docs/email.md, "Body assembly"): every inline text/plain
/// and text/html part in the order they were sent, with a visible separator between them; one alternative of a
/// multipart/alternative (the last plain one for the text, the last HTML one for the HTML); the root of a
/// multipart/related. Every other leaf part goes to <see cref="MailFiles"/>; an inline part sitting between two text
/// parts is shown at its place (an image in the HTML, its name in brackets in the text).
/// </summary>
internal sealed class MailBody
{
    /// <summary>The line that separates two text parts in the stored text; HTML parts are separated by <c>&lt;hr&gt;</c>.</summary>
    internal const string TextSeparator = "---";

    private abstract record Piece;
    private sealed record Chunk(TextPart Part) : Piece;
    private sealed record Alternative(IReadOnlyList<Piece>? Text, IReadOnlyList<Piece>? Html) : Piece;
    private sealed record Placed(ExtractedAttachment File) : Piece;

    private readonly IReadOnlyList<Piece> _pieces;

    private MailBody(IReadOnlyList<Piece> pieces, MimeMessage? tnef) => (_pieces, Tnef) = (pieces, tnef);

    /// <summary>The message a winmail.dat expanded to: its bodies fill in a body the message itself lacks.</summary>
    public MimeMessage? Tnef { get; }

    /// <summary>A key for <c>cid:</c> that reaches a placed part without a Content-ID; only this process knows the part's new id.</summary>
    public static string PlacementKey(Guid attachmentId) => "helpdesk-placed-" + attachmentId.ToString("N");

    public static MailBody Assemble(MimeMessage message, MailFiles files)
    {
        if (message.Body is null) return new MailBody([], null);
        // A text part with a file name is a file: unless the message has no other text, then it is the body.
        var named = message.BodyParts.OfType<TextPart>().Where(t => (t.IsPlain || t.IsHtml) && !t.IsAttachment).ToList();
        var fallback = named.Any(t => !HasName(t)) ? null : named.FirstOrDefault();
        var walker = new Walker(files, fallback);
        return new MailBody(walker.Visit(message.Body), walker.Tnef);
    }

    /// <summary>The stored text: every part's text (an HTML-only part as its text), null when the message has no text part at all.</summary>
    public string? Text(Func<string, string> sanitise)
    {
        var items = Flatten(html: false);
        if (!items.Any(i => i is Chunk)) return null;
        var newline = items.OfType<Chunk>().First().Part.Text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var blocks = new List<string>();
        Piece? previous = null;
        foreach (var item in items)
        {
            var value = item switch
            {
                Chunk { Part.IsHtml: true } c => MailContent.HtmlToText(sanitise(c.Part.Text)),
                Chunk c => PlainText(c.Part),
                Placed p => $"[{p.File.FileName}]",
                _ => "",
            };
            if (string.IsNullOrWhiteSpace(value)) continue; // an HTML part that is only an image has no text
            if (item is Chunk && previous is Chunk) blocks.Add(TextSeparator);
            blocks.Add(value);
            previous = item;
        }
        // Each block on its own lines with one blank line between: a part's own text is kept exactly as decoded.
        var text = new System.Text.StringBuilder();
        foreach (var value in blocks)
        {
            if (text.Length > 0) text.Append(text[^1] == '\n' ? newline : newline + newline);
            text.Append(value);
        }
        return text.ToString();
    }

    /// <summary>The sanitised HTML: every part (a plain one as preformatted text), null unless the message has an HTML part.</summary>
    public string? Html(Func<string, string> sanitise)
    {
        var items = Flatten(html: true);
        var chunks = items.OfType<Chunk>().ToList();
        if (!chunks.Any(c => c.Part.IsHtml)) return null;
        var html = new System.Text.StringBuilder();
        Piece? previous = null;
        foreach (var item in items)
        {
            if (item is Placed { File.ContentId: { } cid } && chunks.Any(c => c.Part.IsHtml && c.Part.Text.Contains("cid:" + cid, StringComparison.OrdinalIgnoreCase)))
                continue; // the HTML shows it where its author put it
            if (item is Chunk && previous is Chunk) html.Append("<hr>");
            html.Append(item switch
            {
                Chunk { Part.IsHtml: true } c => sanitise(c.Part.Text),
                Chunk c => sanitise($"<div style=\"white-space: pre-wrap\">{WebUtility.HtmlEncode(PlainText(c.Part))}</div>"),
                Placed { File.ContentType: var type } p when type.StartsWith("image/", StringComparison.Ordinal) =>
                    sanitise($"<p><img src=\"cid:{PlacementKey(p.File.Id)}\" alt=\"{WebUtility.HtmlEncode(p.File.FileName)}\"></p>"),
                Placed p => $"<p>[{WebUtility.HtmlEncode(p.File.FileName)}]</p>",
                _ => "",
            });
            previous = item;
        }
        return html.ToString();
    }

    // The pieces in order for one rendering, an alternative resolved to its rendition; placed parts only between text.
    private List<Piece> Flatten(bool html)
    {
        var items = new List<Piece>();
        void add(IEnumerable<Piece> pieces)
        {
            foreach (var piece in pieces)
            {
                if (piece is Alternative a) add((html ? a.Html ?? a.Text : a.Text ?? a.Html) ?? []);
                else items.Add(piece);
            }
        }
        add(_pieces);
        var first = items.FindIndex(i => i is Chunk);
        var last = items.FindLastIndex(i => i is Chunk);
        return first < 0 ? [] : items[first..(last + 1)];
    }

    // format=flowed is unwrapped as MimeKit's own TextBody does (RFC 3676, delsp honoured).
    private static string PlainText(TextPart part) =>
        part.IsFlowed ? new FlowedToText { DeleteSpace = part.ContentType.Parameters.TryGetValue("delsp", out string? delsp) && delsp.Equals("yes", StringComparison.OrdinalIgnoreCase) }.Convert(part.Text) : part.Text;

    private static bool HasName(MimeEntity part) => !string.IsNullOrWhiteSpace(part.ContentDisposition?.FileName ?? part.ContentType.Name);

    private sealed class Walker(MailFiles files, TextPart? namedBody)
    {
        public MimeMessage? Tnef { get; private set; }

        public List<Piece> Visit(MimeEntity entity) => entity switch
        {
            MultipartAlternative alternative => VisitAlternative(alternative),
            MultipartRelated related => VisitRelated(related),
            Multipart multipart => multipart.SelectMany(Visit).ToList(),
            MessagePart embedded => Place(files.AddMessage(embedded), embedded),
            TextPart text when IsBody(text) => [new Chunk(text)],
            TnefPart tnef when Expand(tnef) => [],
            MimePart part => Place(files.Add(part), part),
            _ => [],
        };

        private bool IsBody(TextPart text) =>
            (text.IsPlain || text.IsHtml) && !text.IsAttachment && (!HasName(text) || ReferenceEquals(text, namedBody));

        // Only what was not sent as an attachment is shown at its place.
        private static List<Piece> Place(ExtractedAttachment file, MimeEntity part) => part.ContentDisposition?.IsAttachment == true ? [] : [new Placed(file)];

        // One alternative each for the text and the HTML (the last, as RFC 2046 orders them by preference); the others' parts become files.
        private List<Piece> VisitAlternative(MultipartAlternative alternative)
        {
            var children = alternative.ToList();
            var text = children.FindLastIndex(c => Offers(c, html: false));
            var html = children.FindLastIndex(c => Offers(c, html: true));
            List<Piece>? textPieces = null, htmlPieces = null;
            for (var i = 0; i < children.Count; i++)
            {
                if (i != text && i != html)
                {
                    KeepAll(children[i]);
                    continue;
                }
                var pieces = Visit(children[i]);
                if (i == text) textPieces = pieces;
                if (i == html) htmlPieces = pieces;
            }
            return textPieces is null && htmlPieces is null ? [] : [new Alternative(textPieces, htmlPieces)];
        }

        private bool Offers(MimeEntity entity, bool html) => entity switch
        {
            TextPart text => IsBody(text) && text.IsHtml == html,
            MultipartRelated related => related.Root is { } root && Offers(root, html),
            Multipart multipart => multipart.Any(c => Offers(c, html)),
            _ => false,
        };

        // The root is the body; the other parts are what it refers to (images by cid:), kept as files.
        private List<Piece> VisitRelated(MultipartRelated related)
        {
            var root = related.Root;
            var pieces = root is null ? [] : Visit(root);
            foreach (var resource in related.Where(c => !ReferenceEquals(c, root))) KeepAll(resource);
            return pieces;
        }

        private void KeepAll(MimeEntity entity)
        {
            switch (entity)
            {
                case Multipart multipart:
                    foreach (var child in multipart) KeepAll(child);
                    break;
                case MessagePart embedded:
                    files.AddMessage(embedded);
                    break;
                case TnefPart tnef when Expand(tnef):
                    break;
                case MimePart part:
                    files.Add(part);
                    break;
            }
        }

        // winmail.dat: its files are the message's; its body is used when the message has none. Unreadable, it stays a file.
        private bool Expand(TnefPart tnef)
        {
            MimeMessage converted;
            try { converted = tnef.ConvertToMessage(); }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                files.Note($"winmail.dat could not be expanded: {ex.Message}");
                return false;
            }
            Tnef ??= converted;
            foreach (var inner in converted.Attachments)
            {
                if (inner is MessagePart embedded) files.AddMessage(embedded);
                else if (inner is MimePart part) files.Add(part);
            }
            return true;
        }
    }
}
