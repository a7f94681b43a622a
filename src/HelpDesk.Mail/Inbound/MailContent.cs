using System.Text;
using AngleSharp.Html.Parser;
using Ganss.Xss;
using MimeKit;

namespace HelpDesk.Mail.Inbound;

/// <summary>An attachment taken out of a message; <see cref="Content"/> is null when it was refused.</summary>
public sealed record ExtractedAttachment(Guid Id, string FileName, string ContentType, long Size, string Sha256, string? ContentId,
    bool Inline, byte[]? Content, string? RefusedReason);

/// <summary>The bodies and files of a message, ready to store.</summary>
public sealed record ExtractedContent(string Text, string? Html, string? HtmlWithRemoteImages, bool RemoteImagesBlocked, int? QuoteStartsAt,
    IReadOnlyList<ExtractedAttachment> Attachments, IReadOnlyList<string> Notes)
{
    /// <summary>
    /// Bodies are extracted before the ticket is known (in parallel, outside the transaction): <c>cid:</c> images point
    /// at <c>/api/v1/tickets/{placeholder}/attachments/{id}</c> until the ticket's number is filled in here. The
    /// placeholder is random per process, so no sender can plant it.
    /// </summary>
    public ExtractedContent ForTicket(int number)
    {
        string? Fill(string? html) => html?.Replace(MailContent.TicketPlaceholder, number.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return this with { Html = Fill(Html), HtmlWithRemoteImages = Fill(HtmlWithRemoteImages) };
    }
}

/// <summary>
/// Takes text, HTML and attachments out of a parsed message: every inline text/HTML part in order (see
/// <see cref="MailBody"/>), TNEF (winmail.dat) expanded, HTML sanitised with an allowlist, <c>cid:</c> references
/// pointing at the stored attachments, remote images blocked unless asked for, size limits applied with a note, and
/// every other leaf part kept as an attachment (<see cref="MailFiles"/>). Nothing here touches the database.
/// </summary>
public static class MailContent
{
    internal static readonly string TicketPlaceholder = "ticket-" + Guid.NewGuid().ToString("N");

    public static ExtractedContent Extract(MimeMessage message, long maxAttachmentBytes, long maxTotalBytes)
    {
        static string attachmentUrl(Guid id) => $"/api/v1/tickets/{TicketPlaceholder}/attachments/{id}";
        var notes = new List<string>();
        var files = new MailFiles(maxAttachmentBytes, maxTotalBytes, notes);
        var body = MailBody.Assemble(message, files);

        // Real Content-IDs first; every stored file is also reachable through a key only this run knows (its new id), for parts placed between text.
        var byCid = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files.Attachments.Where(a => a.Content is not null))
        {
            if (file.ContentId is not null) byCid.TryAdd(file.ContentId, file.Id);
            byCid[MailBody.PlacementKey(file.Id)] = file.Id;
        }
        var sanitised = new Dictionary<string, string>(StringComparer.Ordinal);
        string sanitise(string html) => sanitised.TryGetValue(html, out var done) ? done : sanitised[html] = Sanitise(html, byCid, attachmentUrl);

        var html = body.Html(sanitise) ?? (body.Tnef?.HtmlBody is { } tnefHtml ? sanitise(tnefHtml) : null);
        string? withImages = null, blocked = null;
        var hadRemote = false;
        if (html is not null)
        {
            (blocked, hadRemote) = BlockRemoteImages(html);
            blocked = MarkQuote(blocked);
            withImages = MarkQuote(html);
        }
        var bodyText = body.Text(sanitise) ?? body.Tnef?.TextBody ?? (withImages is not null ? HtmlToText(withImages) : "");
        if (string.IsNullOrWhiteSpace(bodyText) && string.IsNullOrWhiteSpace(blocked)) bodyText = "(empty message)";
        return new ExtractedContent(bodyText, blocked, hadRemote ? withImages : null, hadRemote, QuoteDetector.FindQuoteStart(bodyText), files.Attachments, notes);
    }

    /// <summary>Allowlist sanitising: no scripts, event handlers, javascript:/vbscript:/data: URLs, forms, iframes, SVG.</summary>
    public static string Sanitise(string html, IReadOnlyDictionary<string, Guid> attachmentsByCid, Func<Guid, string> attachmentUrl)
    {
        var sanitizer = new HtmlSanitizer();
        foreach (var tag in new[] { "form", "input", "button", "select", "option", "textarea", "fieldset", "legend", "label", "optgroup", "svg", "math" })
            sanitizer.AllowedTags.Remove(tag);
        sanitizer.AllowedSchemes.Clear();
        foreach (var scheme in new[] { "http", "https", "mailto" }) sanitizer.AllowedSchemes.Add(scheme);
        sanitizer.AllowedAttributes.Remove("action");
        sanitizer.AllowedAttributes.Remove("formaction");
        sanitizer.FilterUrl += (_, e) =>
        {
            if (!e.OriginalUrl.StartsWith("cid:", StringComparison.OrdinalIgnoreCase)) return;
            var cid = Uri.UnescapeDataString(e.OriginalUrl[4..]).Trim('<', '>');
            e.SanitizedUrl = attachmentsByCid.TryGetValue(cid, out var id) ? attachmentUrl(id) : null;
        };
        return sanitizer.Sanitize(html);
    }

    private static (string Html, bool HadRemote) BlockRemoteImages(string sanitised)
    {
        var doc = new HtmlParser().ParseDocument(sanitised);
        var remote = doc.QuerySelectorAll("img[src]").Where(i => i.GetAttribute("src") is { } s && (s.StartsWith("http:", StringComparison.OrdinalIgnoreCase) || s.StartsWith("https:", StringComparison.OrdinalIgnoreCase) || s.StartsWith("//", StringComparison.Ordinal))).ToList();
        if (remote.Count == 0) return (sanitised, false);
        foreach (var img in remote)
        {
            img.SetAttribute("data-blocked-src", img.GetAttribute("src")!);
            img.RemoveAttribute("src");
            img.RemoveAttribute("srcset");
        }
        return (doc.Body!.InnerHtml, true);
    }

    // Marks (never removes) the first element a mail client wrapped the quoted history in.
    private static string MarkQuote(string html)
    {
        var doc = new HtmlParser().ParseDocument(html);
        foreach (var selector in QuoteDetector.HtmlQuoteSelectors)
        {
            if (doc.QuerySelector(selector) is { } quote)
            {
                quote.SetAttribute("data-quoted-history", "true");
                return doc.Body!.InnerHtml;
            }
        }
        return html;
    }

    public static string HtmlToText(string html)
    {
        var doc = new HtmlParser().ParseDocument(html);
        foreach (var br in doc.QuerySelectorAll("br")) br.Replace(doc.CreateTextNode("\n"));
        foreach (var block in doc.QuerySelectorAll("p, div, li, tr, h1, h2, h3, h4, blockquote")) block.Append(doc.CreateTextNode("\n"));
        return (doc.Body?.TextContent ?? "").Trim();
    }

}

internal static class LegacyCharsets
{
    /// <summary>Legacy charsets (ISO-2022-JP, windows-125x, KOI8-R...) must be registered before MimeKit first looks one up.</summary>
#pragma warning disable CA2255 // a library initialiser is exactly what is needed: MimeKit caches charset lookups
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
}
