namespace HelpDesk.Application.Search;

/// <summary><c>HelpDesk:Search</c> configuration (docs/search.md).</summary>
public sealed class SearchOptions
{
    public const string Section = "HelpDesk:Search";

    /// <summary>
    /// How many of the newest hits a search ranks by relevance (and counts exactly); older hits follow newest first, every
    /// one reachable by paging. Bounds the cost of a page whatever the number of hits.
    /// </summary>
    public int RankedWindow { get; set; } = 1_000;

    /// <summary>Null when usable; otherwise what is wrong, naming the key.</summary>
    public string? Problem() => RankedWindow is >= 1 and <= 100_000 ? null : $"{Section}:{nameof(RankedWindow)} must be between 1 and 100000.";
}
