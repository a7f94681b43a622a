namespace HelpDesk.Application.Persistence;

/// <summary>
/// Marks an asynchronous flow as background work (the due-queue, the outbox sender, periodic sweeps and the lease
/// renewals they make): on a single-writer database (SQLite) its write units wait behind interactive and ingestion
/// writes (<c>SqliteWriteGate</c>, docs/benchmarks.md "Write-lock stalls"), and diagnostics name it. Provider-neutral:
/// PostgreSQL and SQL Server ignore it. Set once at the top of a background service; everything it awaits inherits it.
/// </summary>
public static class BackgroundWork
{
    private static readonly AsyncLocal<string?> Current = new();

    /// <summary>The background job this flow belongs to, or null for interactive and ingestion work.</summary>
    public static string? Name => Current.Value;

    /// <summary>Marks the rest of the calling flow (and what it starts) as the background job <paramref name="name"/>.</summary>
    public static void Enter(string name) => Current.Value = name;
}
