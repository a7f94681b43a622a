using System.Text.RegularExpressions;

namespace HelpDesk.Mail.Inbound;

/// <summary>
/// Finds where the quoted history starts in a reply, by the structure of the decoded text: a run of <c>&gt;</c> lines,
/// an attribution line ("On ... wrote:", "Le ... a écrit :", "Am ... schrieb"), an Outlook header block or separator.
/// It only returns an index: the full text is always stored, the split is a display hint.
/// </summary>
public static partial class QuoteDetector
{
    /// <summary>Index of the first character of the quoted history, or null when none was found (or it would leave nothing new).</summary>
    public static int? FindQuoteStart(string text)
    {
        var lines = SplitLines(text);
        for (var i = 0; i < lines.Count; i++)
        {
            var (start, line) = lines[i];
            var t = line.Trim();
            if (t.Length == 0) continue;
            int? at = null;
            if (t.StartsWith('>') && QuotedRunFollows(lines, i)) at = start;
            else if (OriginalMessage().IsMatch(t)) at = start;
            else if (Attribution().IsMatch(t)) at = start;
            else if (i + 1 < lines.Count && AttributionStart().IsMatch(t) && Attribution().IsMatch(t + " " + lines[i + 1].Line.Trim())) at = start;
            else if (HeaderBlock(lines, i)) at = start;
            if (at is { } found)
                return text[..found].Trim().Length == 0 ? null : found;
        }
        return null;
    }

    /// <summary>The HTML elements clients wrap quoted history in.</summary>
    public static readonly string[] HtmlQuoteSelectors =
        ["div.gmail_quote", "blockquote[type=cite]", "div#divRplyFwdMsg", "div.moz-cite-prefix", "div.yahoo_quoted", "div#appendonsend", "blockquote"];

    private static bool QuotedRunFollows(List<(int Start, string Line)> lines, int i)
    {
        // A single "> " line inside the author's own text (e.g. a shell prompt) is not a quote; a run to the end or of 2+ lines is.
        var run = 0;
        for (var j = i; j < lines.Count && (lines[j].Line.TrimStart().StartsWith('>') || lines[j].Line.Trim().Length == 0); j++)
            if (lines[j].Line.Trim().Length > 0) run++;
        return run >= 2 || lines.Skip(i + 1).All(l => l.Line.Trim().Length == 0 || l.Line.TrimStart().StartsWith('>'));
    }

    private static bool HeaderBlock(List<(int Start, string Line)> lines, int i)
    {
        // Outlook: "From: ..." followed within three lines by "Sent:"/"Date:" and "To:"/"Subject:" (and their translations).
        if (!FromHeader().IsMatch(lines[i].Line.Trim().TrimStart('*'))) return false;
        var next = lines.Skip(i + 1).Take(4).Select(l => l.Line.Trim().TrimStart('*')).ToList();
        return next.Any(l => SentHeader().IsMatch(l)) && next.Any(l => ToHeader().IsMatch(l));
    }

    private static List<(int Start, string Line)> SplitLines(string text)
    {
        var result = new List<(int, string)>();
        var pos = 0;
        while (pos <= text.Length)
        {
            var nl = text.IndexOf('\n', pos);
            var end = nl < 0 ? text.Length : nl;
            result.Add((pos, text[pos..end].TrimEnd('\r')));
            if (nl < 0) break;
            pos = nl + 1;
        }
        return result;
    }

    [GeneratedRegex(@"^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Forwarded message|Oorspronkelijk bericht|Opprinnelig melding|Alkuperäinen viesti|Исходное сообщение|Oprindelig meddelelse)\s*-{2,}|^_{20,}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex OriginalMessage();

    [GeneratedRegex(@"^(On|Le|Am|El|Il|Op|Den|Em|På|Dne|W dniu|В|Pada|\d{1,4}[./-]).{0,200}(wrote|a écrit|schrieb|escribió|ha scritto|schreef|skrev|escreveu|kirjoitti|napsal|написал|napisał|menulis)(\s*:?|\s.{0,150}:)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Attribution();

    [GeneratedRegex(@"^(On|Le|Am|El|Il|Op|Den|Em|På|W dniu|Dne|\d{1,4}[./-])\s", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AttributionStart();

    [GeneratedRegex(@"^(From|De|Von|Van|Fra|Från|Lähettäjä|От|Od|Da)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FromHeader();

    [GeneratedRegex(@"^(Sent|Date|Envoyé|Gesendet|Datum|Verzonden|Sendt|Skickat|Lähetetty|Отправлено|Дата|Wysłano|Enviado|Inviato|Data)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SentHeader();

    [GeneratedRegex(@"^(To|Subject|À|Objet|An|Betreff|Aan|Onderwerp|Til|Emne|Till|Ämne|Vastaanottaja|Aihe|Кому|Тема|Do|Temat|Para|Asunto|A|Oggetto)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ToHeader();
}
