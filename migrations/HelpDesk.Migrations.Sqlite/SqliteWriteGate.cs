using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using HelpDesk.Application.Persistence;
using Microsoft.Data.Sqlite;

namespace HelpDesk.Migrations.Sqlite;

/// <summary>
/// This process's turn at one SQLite file's single write lock (docs/benchmarks.md "Write-lock stalls"). SQLite lets one
/// writer in at a time; a second connection that asks meanwhile gets <c>SQLITE_BUSY</c>, on which Microsoft.Data.Sqlite
/// sleeps a fixed 150 ms (it sets no busy handler), so every collision between our own writers cost a message 150 ms.
/// Writers of this process queue here instead, before their <c>BEGIN IMMEDIATE</c> (or their one autocommit write), and
/// the lock passes from one to the next without a sleep. Background work (<see cref="BackgroundWork"/>) waits behind
/// interactive and ingestion writers, but never longer than <see cref="BackgroundPatience"/> while they keep coming.
/// Other processes on the same file (the CLI, a second node in tests) still meet SQLite's lock; for them
/// <see cref="SqliteWriteInterceptor"/> sets SQLite's own busy handler (<c>busy_timeout</c>), a millisecond back-off.
/// </summary>
public sealed class SqliteWriteGate
{
    /// <summary>How long a background writer lets interactive and ingestion writers go first before it takes its turn.</summary>
    public static readonly TimeSpan BackgroundPatience = TimeSpan.FromMilliseconds(200);

    private static readonly ConcurrentDictionary<string, SqliteWriteGate> Gates = new(StringComparer.Ordinal);

    private readonly object _lock = new();
    private readonly LinkedList<Waiter> _foreground = new();
    private readonly LinkedList<Waiter> _background = new();
    private bool _held;

    private sealed record Waiter(TaskCompletionSource Granted, long Since);

    private SqliteWriteGate(string file) => File = file;

    /// <summary>Writers queued for their turn.</summary>
    public int Waiting
    {
        get
        {
            lock (_lock) return _foreground.Count + _background.Count;
        }
    }

    /// <summary>The database file this gate serialises (its full path).</summary>
    public string File { get; }

    /// <summary>
    /// The gate of the file <paramref name="connectionString"/> opens: one per file and process, shared by every host and
    /// context of the process. Null for a private in-memory database (no other connection can write to it).
    /// </summary>
    public static SqliteWriteGate? For(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var source = builder.DataSource;
        if (builder.Mode == SqliteOpenMode.Memory || source is "" or ":memory:")
            return builder.Cache == SqliteCacheMode.Shared ? Gates.GetOrAdd($"memory:{source}", key => new SqliteWriteGate(key)) : null;
        return Gates.GetOrAdd(Path.GetFullPath(source), file => new SqliteWriteGate(file));
    }

    /// <summary>
    /// Waits for this process's turn to write (at once when nobody holds it). Fails with <c>SQLITE_BUSY</c>, as SQLite
    /// would, when the turn does not come within <paramref name="timeout"/> (the connection's command timeout).
    /// </summary>
    public async ValueTask EnterAsync(bool background, TimeSpan timeout, CancellationToken ct)
    {
        Waiter waiter;
        LinkedListNode<Waiter> node;
        lock (_lock)
        {
            if (!_held)
            {
                _held = true;
                return;
            }
            waiter = new Waiter(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), Stopwatch.GetTimestamp());
            node = (background ? _background : _foreground).AddLast(waiter);
        }
        try
        {
            await (timeout > TimeSpan.Zero ? waiter.Granted.Task.WaitAsync(timeout, ct) : waiter.Granted.Task.WaitAsync(ct));
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            lock (_lock)
            {
                if (node.List is { } queue)
                {
                    queue.Remove(node);
                    if (ex is OperationCanceledException) throw;
                    throw new SqliteException($"database is locked: this process's writers held {File} for more than {timeout.TotalSeconds:F0} s", 5);
                }
            }
            // The turn was handed over just as the wait ended: pass it on.
            Exit();
            throw;
        }
    }

    /// <summary>Hands the turn to the next writer: an interactive one first, unless a background one has waited its patience out.</summary>
    public void Exit()
    {
        lock (_lock)
        {
            var next = _background.First is { } oldest && Stopwatch.GetElapsedTime(oldest.Value.Since) >= BackgroundPatience ? oldest
                : _foreground.First ?? _background.First;
            if (next is null)
            {
                _held = false;
                return;
            }
            next.List!.Remove(next);
            next.Value.Granted.SetResult();
        }
    }
}
