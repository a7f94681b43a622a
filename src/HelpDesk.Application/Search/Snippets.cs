namespace HelpDesk.Application.Search;

/// <summary>A piece of a snippet: plain text, or (<see cref="Match"/>) a word the search found. Clients render it as text.</summary>
public sealed record SnippetSegment(string Text, bool Match);

/// <summary>
/// The passage shown under a search result: from the text with the most of the query's words (the first such text on a
/// tie), around the first word found, the found words marked in the original text (<see cref="SearchText.Mapped"/>).
/// </summary>
public static partial class Snippets
{
    public const int Width = 180;
    private const int Before = 50;

    public static IReadOnlyList<SnippetSegment> Of(IEnumerable<string> texts, IReadOnlyList<string> terms)
    {
        var candidates = texts.Where(t => !string.IsNullOrWhiteSpace(t)).ToList();
        if (candidates.Count == 0) return [];
        var best = candidates.Select((t, i) => (Text: t, Found: Matches(t, terms), Order: i))
            .OrderByDescending(c => c.Found.Terms).ThenBy(c => c.Order).First();
        return Cut(best.Text, best.Found.Ranges);
    }

    /// <summary>Where the terms occur in <paramref name="text"/> (ranges of the original text, merged, in order) and how many of them do.</summary>
    private static (List<(int Start, int End)> Ranges, int Terms) Matches(string text, IReadOnlyList<string> terms)
    {
        if (terms.Count == 0) return ([], 0);
        var (normalised, start, end) = SearchText.Mapped(text);
        var found = new List<(int Start, int End)>();
        var count = 0;
        foreach (var term in terms)
        {
            var at = normalised.IndexOf(term, StringComparison.Ordinal);
            if (at >= 0) count++;
            for (; at >= 0; at = normalised.IndexOf(term, at + term.Length, StringComparison.Ordinal))
                found.Add((start[at], end[at + term.Length - 1]));
        }
        found.Sort();
        var merged = new List<(int Start, int End)>();
        foreach (var f in found)
        {
            if (merged.Count > 0 && f.Start <= merged[^1].End) merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, f.End));
            else merged.Add(f);
        }
        return (merged, count);
    }

    private static IReadOnlyList<SnippetSegment> Cut(string text, List<(int Start, int End)> ranges)
    {
        var from = ranges.Count == 0 ? 0 : Math.Max(0, ranges[0].Start - Before);
        if (from > 0)
        {
            // Start at a word, not inside one.
            var space = text.IndexOfAny([' ', '\n', '\t'], from);
            if (space >= 0 && space < ranges[0].Start) from = space + 1;
            if (char.IsLowSurrogate(text[from])) from--;
        }
        var to = Math.Min(text.Length, from + Width);
        if (ranges.Count > 0 && ranges[0].End > to) to = Math.Min(text.Length, ranges[0].End);
        if (to < text.Length && char.IsLowSurrogate(text[to])) to++;

        var segments = new List<SnippetSegment>();
        void Add(int start, int end, bool match)
        {
            if (end <= start) return;
            var piece = Collapse(text[start..end]);
            if (piece.Length == 0) return;
            if (segments.Count > 0 && segments[^1].Match == match) segments[^1] = segments[^1] with { Text = segments[^1].Text + piece };
            else segments.Add(new SnippetSegment(piece, match));
        }
        var at = from;
        foreach (var (start, end) in ranges)
        {
            if (end <= at) continue;
            if (start >= to) break;
            Add(at, Math.Max(at, start), false);
            Add(Math.Max(at, start), Math.Min(end, to), true);
            at = Math.Min(end, to);
        }
        Add(at, to, false);
        if (from > 0) segments.Insert(0, new SnippetSegment("…", false));
        if (to < text.Length) segments.Add(new SnippetSegment("…", false));
        return segments;
    }

    private static string Collapse(string piece) => WhiteSpace().Replace(piece, " ");

    [System.Text.RegularExpressions.GeneratedRegex(@"\s+")]
    private static partial System.Text.RegularExpressions.Regex WhiteSpace();
}
