using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace HelpDesk.Migrations.SqlServer;

/// <summary>
/// SQL Server's retrying execution strategy (what <c>EnableRetryOnFailure()</c> configures, retried within
/// <see cref="UnitOfWork.ServerMaxRetries"/>'s budget, not EF's default of about a minute), telling
/// <see cref="UnitOfWork.IsTransient"/> what it retries (ADR 0009).
/// </summary>
public sealed class SqlServerRetryingStrategy(ExecutionStrategyDependencies dependencies)
    : SqlServerRetryingExecutionStrategy(dependencies, UnitOfWork.ServerMaxRetries, UnitOfWork.ServerMaxRetryDelay, null), ITransientFailureDetector
{
    /// <summary>The provider options every host uses for SQL Server.</summary>
    public static void Configure(SqlServerDbContextOptionsBuilder options) =>
        options.MigrationsAssembly(typeof(SqlServerRetryingStrategy).Assembly.GetName().Name)
            .ExecutionStrategy(d => new SqlServerRetryingStrategy(d));

    public bool IsTransient(Exception exception) => ShouldRetryOn(exception);
}
