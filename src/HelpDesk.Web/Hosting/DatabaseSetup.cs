using HelpDesk.Application.Persistence;
using HelpDesk.Migrations.Sqlite;
using HelpDesk.Migrations.PostgreSql;
using HelpDesk.Migrations.SqlServer;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Web.Hosting;

/// <summary>
/// Database provider selection. SQLite is the embedded default; PostgreSQL and SQL Server are the production providers.
/// Every provider runs under a retrying execution strategy, so transactions go through <see cref="UnitOfWork"/> (ADR 0009).
/// SQLite's writers of one process take turns at the file (<see cref="SqliteWriteInterceptor"/>, ADR 0010).
/// </summary>
public static class DatabaseSetup
{
    public const string SqliteMigrations = "HelpDesk.Migrations.Sqlite";
    public const string SqlServerMigrations = "HelpDesk.Migrations.SqlServer";
    public const string PostgreSqlMigrations = "HelpDesk.Migrations.PostgreSql";

    public static string Provider(IConfiguration configuration) => configuration["HelpDesk:Database:Provider"] ?? "Sqlite";

    public static string ConnectionString(IConfiguration configuration) =>
        configuration.GetConnectionString("HelpDesk") is { Length: > 0 } cs ? cs
        : Provider(configuration).Equals("Sqlite", StringComparison.OrdinalIgnoreCase)
            ? $"Data Source={Path.Combine(AppContext.BaseDirectory, "helpdesk.db")}"
            : throw new InvalidOperationException($"ConnectionStrings:HelpDesk is required for the {Provider(configuration)} provider.");

    public static void Configure(DbContextOptionsBuilder options, IConfiguration configuration)
    {
        var provider = Provider(configuration);
        var connectionString = ConnectionString(configuration);
        if (provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
            SqliteWriteInterceptor.Configure(options.UseSqlite(connectionString, SqliteRetryingExecutionStrategy.Configure), connectionString,
                gate: configuration.GetValue("HelpDesk:Database:Sqlite:WriteGate", true),
                probe: configuration.GetValue("HelpDesk:Database:Sqlite:BusyProbe", false));
        else if (provider.Equals("SqlServer", StringComparison.OrdinalIgnoreCase))
            options.UseSqlServer(connectionString, SqlServerRetryingStrategy.Configure);
        else if (provider.Equals("PostgreSql", StringComparison.OrdinalIgnoreCase))
            options.UseNpgsql(connectionString, PostgreSqlRetryingStrategy.Configure);
        else
            throw new InvalidOperationException($"HelpDesk:Database:Provider must be Sqlite, PostgreSql or SqlServer, not '{provider}'.");
    }

    public static IServiceCollection AddHelpDeskDatabase(this IServiceCollection services, IConfiguration configuration) =>
        services.AddDbContext<HelpDeskDbContext>(o => Configure(o, configuration));

    /// <summary>Applies pending migrations; SQLite also gets WAL so readers do not wait for the writer.</summary>
    public static async Task MigrateAsync(HelpDeskDbContext db, CancellationToken ct = default)
    {
        await db.Database.MigrateAsync(ct);
        if (db.Sql.AfterMigrate is { } after)
            await db.Database.ExecuteSqlRawAsync(after, ct);
    }
}
