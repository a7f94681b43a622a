using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Runtime.InteropServices;
using HelpDesk.Application.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging;

namespace HelpDesk.Migrations.Sqlite;

/// <summary>
/// How SQLite contexts write (docs/benchmarks.md "Write-lock stalls"): every write transaction (EF begins them with
/// <c>BEGIN IMMEDIATE</c>) and every write outside one (an <c>ExecuteUpdate</c>, a single-statement <c>SaveChanges</c>)
/// takes this process's turn at the file first (<see cref="SqliteWriteGate"/>), so writers of one process never meet
/// <c>SQLITE_BUSY</c> and Microsoft.Data.Sqlite's fixed 150 ms sleep; each opened connection gets SQLite's own busy
/// handler for waits on other processes. With <c>HelpDesk:Database:Sqlite:WriteGate=false</c> both are off (how it was
/// before, kept for the benchmark's comparison). <c>HelpDesk:Database:Sqlite:BusyProbe=true</c> counts every
/// <c>SQLITE_BUSY</c> instead of SQLite's handler and logs each stalled write with who held the lock (diagnostics: it
/// walks the stack at every write).
/// </summary>
public sealed class SqliteWriteInterceptor : IDbConnectionInterceptor, IDbTransactionInterceptor, IDbCommandInterceptor
{
    private static readonly ConcurrentDictionary<(string Key, bool Gate, bool Probe), SqliteWriteInterceptor> Instances = new();

    private readonly SqliteWriteGate? _gate;
    private readonly bool _probe;
    private readonly ConcurrentDictionary<DbConnection, Turn> _turns = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<IntPtr, Turn> _turnsByHandle = new();
    // A committed SqliteTransaction no longer knows its connection.
    private readonly ConcurrentDictionary<DbTransaction, DbConnection> _transactions = new(ReferenceEqualityComparer.Instance);
    private readonly ConcurrentDictionary<(string Waiter, string Holder), StallCount> _stalls = new();
    private long _busy, _readBusy;
    private ILogger? _logger;

    /// <summary>One connection's write: from asking for the lock until its commit, rollback or close.</summary>
    private sealed class Turn(bool gated, bool autocommit, string? who)
    {
        public bool Gated { get; } = gated;
        public bool Autocommit { get; } = autocommit;
        public string? Who { get; } = who;
        public long AskedAt { get; } = Stopwatch.GetTimestamp();
        public DbTransaction? Transaction;
        public bool Began;
        public int Busy;
        public string? HolderAtBusy;
    }

    /// <summary>Stalled writes of one waiter behind one holder: how many and how long they waited.</summary>
    public sealed class StallCount
    {
        public int Count;
        public double TotalMilliseconds;
    }

    private SqliteWriteInterceptor(SqliteWriteGate? gate, bool probe)
    {
        _gate = gate;
        _probe = probe;
    }

    /// <summary>The interceptor for contexts on <paramref name="connectionString"/>: one per file and settings, shared by the process.</summary>
    public static SqliteWriteInterceptor For(string connectionString, bool gate, bool probe)
    {
        var shared = SqliteWriteGate.For(connectionString);
        return Instances.GetOrAdd((shared?.File ?? connectionString, gate, probe), _ => new SqliteWriteInterceptor(gate ? shared : null, probe));
    }

    /// <summary>Adds the interceptor to a context's options (the SQLite branch of every host's database setup).</summary>
    public static DbContextOptionsBuilder Configure(DbContextOptionsBuilder options, string connectionString, bool gate, bool probe) =>
        options.AddInterceptors(For(connectionString, gate, probe));

    /// <summary><c>SQLITE_BUSY</c> results writers met since the process started (counted only with the probe on).</summary>
    public long BusyCount => Interlocked.Read(ref _busy);

    /// <summary>
    /// <c>SQLITE_BUSY</c> results met by statements holding no write turn (reads): in WAL mode a reader can meet one for an
    /// instant while a checkpoint resets the log; the handler waits milliseconds for it, and no write turn is involved.
    /// </summary>
    public long ReadBusyCount => Interlocked.Read(ref _readBusy);

    /// <summary>Writes that met a busy database, by who waited and who held the lock (counted only with the probe on).</summary>
    public IReadOnlyDictionary<(string Waiter, string Holder), StallCount> Stalls => _stalls;

    // ---- connections: SQLite's busy handler for other processes' writers; a turn never outlives its connection

    public void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Opened(connection, eventData);

    public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Opened(connection, eventData);
        return Task.CompletedTask;
    }

    private void Opened(DbConnection connection, ConnectionEndEventData eventData)
    {
        if (connection is not SqliteConnection sqlite) return;
        if (_probe)
        {
            _logger ??= eventData.Context?.GetService<ILoggerFactory>().CreateLogger<SqliteWriteInterceptor>();
            var handle = sqlite.Handle!.DangerousGetHandle();
            NativeBusy.Probed[handle] = this;
            NativeBusy.sqlite3_busy_handler(handle, NativeBusy.Handler, handle);
        }
        else if (_gate is not null)
            SQLitePCL.raw.sqlite3_busy_timeout(sqlite.Handle, BusyTimeoutMilliseconds(sqlite));
    }

    private static int BusyTimeoutMilliseconds(SqliteConnection connection) =>
        connection.DefaultTimeout > 0 ? (int)Math.Min(int.MaxValue, connection.DefaultTimeout * 1000L) : int.MaxValue;

    public void ConnectionClosed(DbConnection connection, ConnectionEndEventData eventData) => End(connection);

    public Task ConnectionClosedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        End(connection);
        return Task.CompletedTask;
    }

    public void ConnectionDisposed(DbConnection connection, ConnectionEndEventData eventData) => End(connection);

    public Task ConnectionDisposedAsync(DbConnection connection, ConnectionEndEventData eventData)
    {
        End(connection);
        return Task.CompletedTask;
    }

    // ---- transactions: the turn is taken before BEGIN IMMEDIATE and handed on at commit or rollback

    public InterceptionResult<DbTransaction> TransactionStarting(DbConnection connection, TransactionStartingEventData eventData, InterceptionResult<DbTransaction> result)
    {
        BeginAsync(connection, autocommit: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        return result;
    }

    public async ValueTask<InterceptionResult<DbTransaction>> TransactionStartingAsync(DbConnection connection, TransactionStartingEventData eventData,
        InterceptionResult<DbTransaction> result, CancellationToken cancellationToken = default)
    {
        await BeginAsync(connection, autocommit: false, cancellationToken);
        return result;
    }

    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Began(connection, result);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        Began(connection, result);
        return ValueTask.FromResult(result);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => End(ConnectionOf(transaction));

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        End(ConnectionOf(transaction));
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => End(ConnectionOf(transaction));

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        End(ConnectionOf(transaction));
        return Task.CompletedTask;
    }

    // A BEGIN that failed holds nothing; a failed commit or rollback is ended by the connection's close.
    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData)
    {
        if (eventData.Action == "BeginTransaction") End(transaction?.Connection);
    }

    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionFailed(transaction, eventData);
        return Task.CompletedTask;
    }

    // ---- writes outside a transaction (autocommit): one statement, the turn held until it has run

    public InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        TakeTurn(command);
        return result;
    }

    public async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        await TakeTurnAsync(command, cancellationToken);
        return result;
    }

    public int NonQueryExecuted(DbCommand command, CommandExecutedEventData eventData, int result)
    {
        EndAutocommit(command);
        return result;
    }

    public ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        EndAutocommit(command);
        return ValueTask.FromResult(result);
    }

    public InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        TakeTurn(command);
        return result;
    }

    public async ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result,
        CancellationToken cancellationToken = default)
    {
        await TakeTurnAsync(command, cancellationToken);
        return result;
    }

    public object? ScalarExecuted(DbCommand command, CommandExecutedEventData eventData, object? result)
    {
        EndAutocommit(command);
        return result;
    }

    public ValueTask<object?> ScalarExecutedAsync(DbCommand command, CommandExecutedEventData eventData, object? result, CancellationToken cancellationToken = default)
    {
        EndAutocommit(command);
        return ValueTask.FromResult(result);
    }

    // A single-statement SaveChanges runs INSERT ... RETURNING as a reader without a transaction: it commits when the
    // reader is done, so the turn lasts until the reader is disposed.
    public InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        TakeTurn(command);
        return result;
    }

    public async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await TakeTurnAsync(command, cancellationToken);
        return result;
    }

    public InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
    {
        EndAutocommit(command);
        return result;
    }

    public void CommandFailed(DbCommand command, CommandErrorEventData eventData) => EndAutocommit(command);

    public Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        EndAutocommit(command);
        return Task.CompletedTask;
    }

    public void CommandCanceled(DbCommand command, CommandEndEventData eventData) => EndAutocommit(command);

    public Task CommandCanceledAsync(DbCommand command, CommandEndEventData eventData, CancellationToken cancellationToken = default)
    {
        EndAutocommit(command);
        return Task.CompletedTask;
    }

    /// <summary>A statement outside a transaction that may write: anything but a SELECT (reads never wait in WAL mode).</summary>
    // A write outside a transaction (autocommit) holds the turn for its one statement; every Executing overload asks here.
    private void TakeTurn(DbCommand command)
    {
        if (NeedsTurn(command)) BeginAsync(command.Connection!, autocommit: true, CancellationToken.None).AsTask().GetAwaiter().GetResult();
    }

    private ValueTask TakeTurnAsync(DbCommand command, CancellationToken cancellationToken) =>
        NeedsTurn(command) ? BeginAsync(command.Connection!, autocommit: true, cancellationToken) : ValueTask.CompletedTask;

    private bool NeedsTurn(DbCommand command) =>
        command.Transaction is null && command.Connection is { } connection && !_turns.ContainsKey(connection)
        && !command.CommandText.AsSpan().TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase);

    private void EndAutocommit(DbCommand command)
    {
        if (command.Connection is { } connection && _turns.TryGetValue(connection, out var turn) && turn.Autocommit) End(connection);
    }

    // ---- the turn

    private async ValueTask BeginAsync(DbConnection connection, bool autocommit, CancellationToken ct)
    {
        if (connection is not SqliteConnection sqlite || _turns.ContainsKey(connection)) return; // already this connection's turn
        if (_gate is not null)
            await _gate.EnterAsync(BackgroundWork.Name is not null, TimeSpan.FromSeconds(sqlite.DefaultTimeout), ct);
        var turn = new Turn(_gate is not null, autocommit, _probe ? Describe() : null);
        _turns[connection] = turn;
        if (_probe) _turnsByHandle[sqlite.Handle!.DangerousGetHandle()] = turn;
    }

    private void Began(DbConnection connection, DbTransaction transaction)
    {
        if (!_turns.TryGetValue(connection, out var turn)) return;
        _transactions[transaction] = connection;
        turn.Transaction = transaction;
        turn.Began = true;
        if (turn.Busy > 0) RecordStall(turn);
    }

    private DbConnection? ConnectionOf(DbTransaction transaction) =>
        _transactions.TryRemove(transaction, out var connection) ? connection : transaction.Connection;

    private void End(DbConnection? connection)
    {
        if (connection is null || !_turns.TryRemove(connection, out var turn)) return;
        if (turn.Transaction is { } transaction) _transactions.TryRemove(transaction, out _);
        if (_probe && connection is SqliteConnection { Handle: { } handle }) _turnsByHandle.TryRemove(handle.DangerousGetHandle(), out _);
        if (turn.Autocommit && turn.Busy > 0) RecordStall(turn);
        if (turn.Gated) _gate!.Exit();
    }

    private void RecordStall(Turn turn)
    {
        var waited = Stopwatch.GetElapsedTime(turn.AskedAt).TotalMilliseconds;
        var key = (turn.Who ?? "?", turn.HolderAtBusy ?? "?");
        var count = _stalls.GetOrAdd(key, _ => new StallCount());
        lock (count)
        {
            count.Count++;
            count.TotalMilliseconds += waited;
        }
        _logger?.LogWarning("SQLite busy: {Waiter} waited {Waited:F0} ms ({Busy} x SQLITE_BUSY) for the write lock held by {Holder}",
            key.Item1, waited, turn.Busy, key.Item2);
        turn.Busy = 0;
    }

    // Called by SQLite (probe on) each time a statement finds the database locked. Counts it and notes who held the
    // lock; then waits as SQLite's busy_timeout would (gate on), or returns SQLITE_BUSY at once, as without a handler.
    private int OnBusy(IntPtr connection, int count)
    {
        if (!_turnsByHandle.TryGetValue(connection, out var turn)) Interlocked.Increment(ref _readBusy);
        else
        {
            Interlocked.Increment(ref _busy);
            turn.Busy++;
            turn.HolderAtBusy ??= Holder(turn)?.Who ?? "another connection (another process, or one outside EF)";
        }
        if (_gate is null) return 0;
        var delay = NativeBusy.Delay(count, TimeSpan.FromSeconds(30));
        if (delay <= 0) return 0;
        Thread.Sleep(delay);
        return 1;
    }

    // Who holds the lock while `waiter` meets it: a transaction that has begun, else the oldest write outside one that
    // is not itself waiting (without the gate several may be asking at once; this is the probe's best guess).
    private Turn? Holder(Turn waiter) =>
        _turns.Values.Where(t => t != waiter && (t.Began || t.Autocommit && t.Busy == 0))
            .OrderByDescending(t => t.Began).ThenBy(t => t.AskedAt).FirstOrDefault();

    /// <summary>Who is writing: the background job (or "request") and the first method of ours on the stack outside persistence.</summary>
    private static string Describe()
    {
        var job = BackgroundWork.Name ?? "request";
        foreach (var frame in new StackTrace(2, false).GetFrames())
        {
            var type = frame.GetMethod()?.DeclaringType;
            var method = type is { Name: ['<', ..] } ? type.Name : frame.GetMethod()?.Name;
            while (type is { Name: ['<', ..] }) type = type.DeclaringType; // async state machines and lambdas: their method's type
            if (type?.Namespace is not { } ns || !ns.StartsWith("HelpDesk.", StringComparison.Ordinal)
                || ns.StartsWith("HelpDesk.Migrations", StringComparison.Ordinal) || ns == typeof(UnitOfWork).Namespace) continue;
            var name = method is ['<', ..] ? method[1..method.IndexOf('>')].TrimStart('<') : method;
            return $"{job}: {type.Name}.{name}";
        }
        return job;
    }

    private static class NativeBusy
    {
        // SQLite's own busy_timeout back-off (sqliteDefaultBusyCallback), in milliseconds.
        private static readonly int[] Delays = [1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100];

        /// <summary>Which interceptor probes a native connection (the handler's argument is the connection).</summary>
        public static readonly ConcurrentDictionary<IntPtr, SqliteWriteInterceptor> Probed = new();

        /// <summary>The wait before try <paramref name="count"/> + 1, as busy_timeout waits; 0 when the timeout is spent.</summary>
        public static int Delay(int count, TimeSpan timeout)
        {
            var prior = Delays.Take(Math.Min(count, Delays.Length)).Sum() + Math.Max(0, count - Delays.Length) * Delays[^1];
            var delay = Delays[Math.Min(count, Delays.Length - 1)];
            return (int)Math.Min(delay, timeout.TotalMilliseconds - prior);
        }

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        public delegate int BusyCallback(IntPtr self, int count);

        // Kept in a static field: SQLite holds the function pointer for the connection's lifetime.
        public static readonly BusyCallback Handler = Busy;

        private static int Busy(IntPtr connection, int count) =>
            Probed.TryGetValue(connection, out var interceptor) ? interceptor.OnBusy(connection, count) : 0;

        [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
        public static extern int sqlite3_busy_handler(IntPtr db, BusyCallback? callback, IntPtr argument);
    }
}
