using System.Globalization;
using System.Text;

namespace HelpDesk.Application.Search;

/// <summary>
/// The one normalisation of searchable text, applied to what is indexed and to what is asked, so that what looks the same
/// matches (docs/search.md "Normalisation"): Unicode NFKC; culture-invariant case folding with the folds .NET's
/// lower-casing lacks (Turkish İ and ı to i, German ß and ẞ to ss, final sigma); zero-width characters and the soft
/// hyphen removed; Arabic and Persian variants folded (Yeh, Kaf, Alef forms, tatweel and harakat dropped, Arabic-Indic
/// digits to ASCII); every run of white space one space.
/// </summary>
/// <remarks>
/// Each grapheme cluster (a base and its combining marks) is normalised on its own, so every output character knows the
/// source characters it came from (<see cref="Mapped"/>): snippets highlight the original text, never the folded one.
/// </remarks>
public static class SearchText
{
    /// <summary>The normalised text.</summary>
    public static string Normalise(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var output = new StringBuilder(text.Length);
        Fold(text, output, null);
        return output.ToString().Trim();
    }

    /// <summary>
    /// The normalised text (untrimmed) and, for each of its characters, the range of <paramref name="text"/> it came
    /// from: output character i came from <c>text[Start[i]..End[i]]</c>.
    /// </summary>
    public static (string Text, int[] Start, int[] End) Mapped(string text)
    {
        var output = new StringBuilder(text.Length);
        var map = new List<(int, int)>(text.Length);
        Fold(text, output, map);
        return (output.ToString(), map.Select(m => m.Item1).ToArray(), map.Select(m => m.Item2).ToArray());
    }

    /// <summary>The distinct words of a query, normalised, punctuation trimmed from their ends, longest first.</summary>
    public static IReadOnlyList<string> Terms(string? query) =>
        Normalise(query).Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Trim(TrimmedPunctuation))
            .Where(w => w.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(w => w.Length)
            .ToList();

    private static readonly char[] TrimmedPunctuation = ".,;:!?\"'()[]{}<>«»“”‘’、。，．！？：；「」『』（）".ToCharArray();

    private static void Fold(string text, StringBuilder output, List<(int, int)>? map)
    {
        var lastWasSpace = output.Length == 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            int length;
            string element;
            if (c < 0x80 && (i + 1 == text.Length || text[i + 1] < 0x300))
            {
                // Plain ASCII not followed by a combining mark: its own cluster, folded without allocation.
                length = 1;
                if (c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v')
                {
                    if (!lastWasSpace) Append(output, map, ' ', i, 1);
                    lastWasSpace = true;
                }
                else
                {
                    Append(output, map, c is >= 'A' and <= 'Z' ? (char)(c + 32) : c, i, 1);
                    lastWasSpace = false;
                }
                i += length;
                continue;
            }
            length = StringInfo.GetNextTextElementLength(text, i);
            element = text.Substring(i, length);
            if (!element.IsNormalized(NormalizationForm.FormKC)) element = element.Normalize(NormalizationForm.FormKC);
            foreach (var folded in element.ToLowerInvariant())
            {
                var mapped = Map(folded);
                if (mapped is null) continue;
                foreach (var m in mapped)
                {
                    if (char.IsWhiteSpace(m))
                    {
                        if (!lastWasSpace) Append(output, map, ' ', i, length);
                        lastWasSpace = true;
                    }
                    else
                    {
                        Append(output, map, m, i, length);
                        lastWasSpace = false;
                    }
                }
            }
            i += length;
        }
    }

    private static void Append(StringBuilder output, List<(int, int)>? map, char c, int start, int length)
    {
        output.Append(c);
        map?.Add((start, start + length));
    }

    /// <summary>What one lower-cased character becomes: itself, a replacement, or nothing (null).</summary>
    private static string? Map(char c) => c switch
    {
        // Zero-width space, non-joiner, joiner, word joiner, byte-order mark, soft hyphen: invisible, so never in the way.
        '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD' => null,
        // Combining dot above (İ lower-cased invariantly is i + U+0307): İstanbul, istanbul and ISTANBUL are one word.
        '\u0307' => null,
        // Dotless ı (a Turkish ISTANBUL lower-cases to ıstanbul) and dotted İ, which invariant lower-casing leaves as it is.
        '\u0131' or '\u0130' => "i",
        '\u00DF' or '\u1E9E' => "ss",          // ß, ẞ
        '\u03C2' => "\u03C3",                  // final sigma
        // Arabic script: Persian Yeh and Alef Maksura as Arabic Yeh, Keheh as Kaf, Alef with hamza or madda as Alef,
        // tatweel, harakat (fathatan … sukun and the rest of U+064B–U+065F) and superscript Alef dropped.
        '\u06CC' or '\u0649' => "\u064A",
        '\u06A9' => "\u0643",
        '\u0622' or '\u0623' or '\u0625' or '\u0671' => "\u0627",
        '\u0640' => null,
        >= '\u064B' and <= '\u065F' or '\u0670' => null,
        >= '\u0660' and <= '\u0669' => ((char)('0' + (c - '\u0660'))).ToString(),
        >= '\u06F0' and <= '\u06F9' => ((char)('0' + (c - '\u06F0'))).ToString(),
        _ => char.IsControl(c) ? " " : c.ToString(),
    };
}
