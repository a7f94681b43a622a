using HelpDesk.Application.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace HelpDesk.Migrations.Sqlite;

/// <summary>
/// SQLite's retrying execution strategy, so SQLite runs under the same rules as every other provider (ADR 0009): a
/// transaction begun outside <c>UnitOfWork.InTransactionAsync</c> fails here too, not only in production on SQL Server.
/// Retries what waiting cannot fix inside one statement: <c>SQLITE_BUSY</c> (5) and <c>SQLITE_LOCKED</c> (6), e.g. a
/// WAL transaction that read a snapshot another connection has since written past (<c>SQLITE_BUSY_SNAPSHOT</c>) must
/// start again. Microsoft.Data.Sqlite already waits out a busy database for the command timeout before it reports one,
/// so a few retries are plenty.
/// </summary>
public sealed class SqliteRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies)
    : ExecutionStrategy(dependencies, MaxRetries, TimeSpan.FromSeconds(2)), ITransientFailureDetector
{
    public const int MaxRetries = 3;

    /// <summary>The provider options every host uses for SQLite (the web host, the CLI, the test hosts).</summary>
    public static void Configure(SqliteDbContextOptionsBuilder options) =>
        options.MigrationsAssembly(typeof(SqliteRetryingExecutionStrategy).Assembly.GetName().Name)
            .ExecutionStrategy(d => new SqliteRetryingExecutionStrategy(d));

    public bool IsTransient(Exception exception) => exception is SqliteException { SqliteErrorCode: 5 or 6 };

    protected override bool ShouldRetryOn(Exception exception) => IsTransient(exception);
}
