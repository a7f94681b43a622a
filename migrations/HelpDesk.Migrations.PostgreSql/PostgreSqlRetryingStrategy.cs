using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql.EntityFrameworkCore.PostgreSQL;
using Npgsql.EntityFrameworkCore.PostgreSQL.Infrastructure;

namespace HelpDesk.Migrations.PostgreSql;

/// <summary>
/// PostgreSQL's retrying execution strategy (what <c>EnableRetryOnFailure()</c> configures: transient Npgsql errors such
/// as a serialization failure, a deadlock or a dropped connection; retried within <see cref="UnitOfWork.ServerMaxRetries"/>'s
/// budget, not EF's default of about a minute), telling
/// <see cref="UnitOfWork.IsTransient"/> what it retries (ADR 0009).
/// </summary>
public sealed class PostgreSqlRetryingStrategy(ExecutionStrategyDependencies dependencies)
    : NpgsqlRetryingExecutionStrategy(dependencies, UnitOfWork.ServerMaxRetries, UnitOfWork.ServerMaxRetryDelay, null), ITransientFailureDetector
{
    /// <summary>The provider options every host uses for PostgreSQL.</summary>
    public static void Configure(NpgsqlDbContextOptionsBuilder options) =>
        options.MigrationsAssembly(typeof(PostgreSqlRetryingStrategy).Assembly.GetName().Name)
            .ExecutionStrategy(d => new PostgreSqlRetryingStrategy(d));

    public bool IsTransient(Exception exception) => ShouldRetryOn(exception);
}
