using HelpDesk.Application.Persistence;
using HelpDesk.Migrations.PostgreSql;
using HelpDesk.Migrations.Sqlite;
using HelpDesk.Migrations.SqlServer;
using HelpDesk.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace HelpDesk.Web.Tests.Persistence;

/// <summary>
/// Every provider the host configures runs under a retrying execution strategy (ADR 0009), so a transaction begun
/// outside <see cref="UnitOfWork"/> fails on SQLite in the tests exactly as it would on the production database.
/// </summary>
public sealed class ExecutionStrategyTests
{
    private static HelpDeskDbContext Context(string provider, string connectionString)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HelpDesk:Database:Provider"] = provider,
            ["ConnectionStrings:HelpDesk"] = connectionString,
        }).Build();
        var options = new DbContextOptionsBuilder<HelpDeskDbContext>();
        DatabaseSetup.Configure(options, configuration);
        return new HelpDeskDbContext(options.Options);
    }

    [Theory]
    [InlineData("Sqlite", "Data Source=:memory:", typeof(SqliteRetryingExecutionStrategy))]
    [InlineData("SqlServer", "Server=unused;Database=HelpDesk;Trusted_Connection=True", typeof(SqlServerRetryingStrategy))]
    [InlineData("PostgreSql", "Host=unused;Database=helpdesk", typeof(PostgreSqlRetryingStrategy))]
    public void Each_provider_retries_transient_failures_and_says_which_they_are(string provider, string connectionString, Type strategy)
    {
        using var db = Context(provider, connectionString);

        var created = db.Database.CreateExecutionStrategy();

        created.Should().BeOfType(strategy);
        created.RetriesOnFailure.Should().BeTrue();
        created.Should().BeAssignableTo<ITransientFailureDetector>("work that catches exceptions inside a unit asks it what to let through");
    }

    [Fact]
    public void On_SQLite_a_busy_database_is_transient_and_a_constraint_violation_is_not()
    {
        using var db = Context("Sqlite", "Data Source=:memory:");

        db.IsTransient(new Microsoft.Data.Sqlite.SqliteException("database is locked", 5)).Should().BeTrue();
        db.IsTransient(new DbUpdateException("wrapped", new Microsoft.Data.Sqlite.SqliteException("database is locked", 5))).Should().BeTrue();
        db.IsTransient(new Microsoft.Data.Sqlite.SqliteException("UNIQUE constraint failed", 19)).Should().BeFalse();
        db.IsTransient(new InvalidDataException("the message has no usable From address")).Should().BeFalse();
    }

    [Fact]
    public void On_PostgreSQL_a_serialization_failure_is_transient_and_a_unique_violation_is_not()
    {
        using var db = Context("PostgreSql", "Host=unused;Database=helpdesk");

        db.IsTransient(new Npgsql.PostgresException("could not serialize access", "ERROR", "ERROR", "40001")).Should().BeTrue();
        db.IsTransient(new DbUpdateException("wrapped", new Npgsql.PostgresException("deadlock detected", "ERROR", "ERROR", "40P01"))).Should().BeTrue();
        db.IsTransient(new Npgsql.PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", "23505")).Should().BeFalse();
    }
}
