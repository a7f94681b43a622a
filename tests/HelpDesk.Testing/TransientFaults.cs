using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HelpDesk.Testing;

/// <summary>
/// Fails one database command with a transient error, as a lost connection or a lock would: armed with which command
/// (e.g. the first INSERT into Tickets), it throws <see cref="Transient"/>'s exception there once and counts it. The
/// host chooses the exception, one its provider's execution strategy retries (SQLite: SQLITE_BUSY).
/// </summary>
public sealed class TransientFaults(Func<Exception> transient) : DbCommandInterceptor
{
    /// <summary>Fails with what the run's provider retries (<see cref="TestDatabase.TransientFailure"/>).</summary>
    public TransientFaults() : this(TestDatabase.TransientFailure) { }

    private readonly Lock _lock = new();
    private Func<DbCommand, bool>? _armed;

    public Func<Exception> Transient { get; } = transient;

    /// <summary>How many times a command was failed.</summary>
    public int Thrown { get; private set; }

    /// <summary>The next command that matches <paramref name="when"/> fails, once.</summary>
    public void FailOnce(Func<DbCommand, bool> when)
    {
        lock (_lock) _armed = when;
    }

    /// <summary>The next command whose SQL contains <paramref name="sql"/> fails, once.</summary>
    public void FailOnce(string sql) => FailOnce(c => c.CommandText.Contains(sql, StringComparison.OrdinalIgnoreCase));

    private void Executing(DbCommand command)
    {
        lock (_lock)
        {
            if (_armed is null || !_armed(command)) return;
            _armed = null;
            Thrown++;
        }
        throw Transient();
    }

    private T Executing<T>(DbCommand command, T result)
    {
        Executing(command);
        return result;
    }

    private ValueTask<T> ExecutingAsync<T>(DbCommand command, T result)
    {
        Executing(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        Executing(command, result);

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) => ExecutingAsync(command, result);

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        Executing(command, result);

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default) => ExecutingAsync(command, result);

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) =>
        Executing(command, result);

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default) => ExecutingAsync(command, result);
}
