using System.Globalization;

namespace HelpDesk.Bench;

/// <summary>
/// The headline figures of a run, by benchmark and provider, printed at the end as one table with a column per
/// provider so SQLite's and PostgreSQL's figures stand next to each other.
/// </summary>
internal static class Figures
{
    private static readonly List<(string Figure, string Provider, string Value)> All = [];

    public static void Add(BenchProvider provider, string figure, FormattableString value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        lock (All) All.Add((figure, provider.Name, text));
    }

    public static void PrintTable(IReadOnlyList<string> providers)
    {
        if (All.Count == 0) return;
        var figures = All.Select(f => f.Figure).Distinct().ToList();
        var width = Math.Max(10, figures.Max(f => f.Length));
        var columns = providers.Select(p => Math.Max(p.Length, All.Where(f => f.Provider == p).Select(f => f.Value.Length).DefaultIfEmpty(0).Max())).ToList();
        Console.WriteLine();
        Console.WriteLine($"| {"figure".PadRight(width)} | {string.Join(" | ", providers.Select((p, i) => p.PadRight(columns[i])))} |");
        Console.WriteLine($"|{new string('-', width + 2)}|{string.Join("|", columns.Select(c => new string('-', c + 2)))}|");
        foreach (var figure in figures)
        {
            var values = providers.Select((p, i) => (All.LastOrDefault(f => f.Figure == figure && f.Provider == p).Value ?? "-").PadRight(columns[i]));
            Console.WriteLine($"| {figure.PadRight(width)} | {string.Join(" | ", values)} |");
        }
    }
}
