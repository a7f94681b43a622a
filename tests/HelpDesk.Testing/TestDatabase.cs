using System.Security.Cryptography;
using HelpDesk.Application.Persistence;
using HelpDesk.Web.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Npgsql;

namespace HelpDesk.Testing;

/// <summary>
/// A fresh, migrated database for a test (class), on the provider the whole run uses: a SQLite file by default, or a
/// database on a real PostgreSQL server when <c>HELPDESK_TEST_DATABASE=postgresql</c> and <c>HELPDESK_TEST_POSTGRES</c>
/// holds an admin connection string. On PostgreSQL each database is a copy of a template migrated once per migrations
/// build (named by its hash; created under an advisory lock, so parallel test assemblies share it) and is dropped on
/// dispose. Hosts reach it only through the production configuration (<see cref="Settings"/>, <see cref="DatabaseSetup"/>).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable, IDisposable
{
    public const string ProviderVariable = "HELPDESK_TEST_DATABASE";
    public const string PostgresVariable = "HELPDESK_TEST_POSTGRES";
    private const long TemplateLock = 0x48656c7044657368; // "HelpDesh": any fixed key shared by every test process

    private readonly bool _owned;
    private readonly string? _pgName;
    private int _disposed;

    private TestDatabase(string provider, string connectionString, string? filePath, string? pgName, bool owned)
    {
        Provider = provider;
        ConnectionString = connectionString;
        FilePath = filePath;
        _pgName = pgName;
        _owned = owned;
    }

    /// <summary>True when this run's databases are PostgreSQL ones.</summary>
    public static bool IsPostgreSql =>
        (Environment.GetEnvironmentVariable(ProviderVariable) ?? "sqlite").Trim().ToLowerInvariant() switch
        {
            "sqlite" or "" => false,
            "postgresql" or "postgres" or "pg" => true,
            var other => throw new InvalidOperationException($"{ProviderVariable} must be sqlite or postgresql, not '{other}'."),
        };

    /// <summary>The value of <c>HelpDesk:Database:Provider</c>.</summary>
    public string Provider { get; }

    public string ConnectionString { get; }

    /// <summary>The SQLite file (null on PostgreSQL).</summary>
    public string? FilePath { get; }

    /// <summary>The two settings that point a host at this database.</summary>
    public IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["HelpDesk:Database:Provider"] = Provider,
        ["ConnectionStrings:HelpDesk"] = ConnectionString,
    };

    /// <summary><see cref="Settings"/> as environment variables, for a child process (the CLI).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentVariables =>
        Settings.ToDictionary(kv => kv.Key.Replace(":", "__"), kv => kv.Value);

    public IConfiguration Configuration => new ConfigurationBuilder().AddInMemoryCollection(Settings!).Build();

    /// <summary>A new, migrated database of its own (deleted or dropped on dispose).</summary>
    public static TestDatabase Create(string prefix = "helpdesk-test")
    {
        if (!IsPostgreSql)
        {
            var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}.db");
            var sqlite = new TestDatabase("Sqlite", $"Data Source={path}", path, null, owned: true);
            sqlite.Migrate();
            return sqlite;
        }
        var admin = AdminConnectionString();
        var name = $"hd_{Guid.NewGuid():N}";
        using (var connection = new NpgsqlConnection(admin))
        {
            connection.Open();
            Execute(connection, $"SELECT pg_advisory_lock({TemplateLock})");
            try
            {
                var template = EnsureTemplate(connection, admin);
                Execute(connection, $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"");
            }
            finally
            {
                Execute(connection, $"SELECT pg_advisory_unlock({TemplateLock})");
            }
        }
        return new TestDatabase("PostgreSql", WithDatabase(admin, name), null, name, owned: true);
    }

    /// <summary>
    /// A database of its own that does not exist yet (for a command that creates it: <c>helpdesk migrate</c>); dropped or
    /// deleted on dispose when something created it.
    /// </summary>
    public static TestDatabase Reserve(string prefix = "helpdesk-test")
    {
        if (!IsPostgreSql)
        {
            var path = Path.Combine(Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}.db");
            return new TestDatabase("Sqlite", $"Data Source={path}", path, null, owned: true);
        }
        var name = $"hd_{Guid.NewGuid():N}";
        return new TestDatabase("PostgreSql", WithDatabase(AdminConnectionString(), name), null, name, owned: true);
    }

    /// <summary>Whether the database exists (the SQLite file, the PostgreSQL database).</summary>
    public bool Exists()
    {
        if (_pgName is null) return File.Exists(FilePath);
        using var admin = new NpgsqlConnection(AdminConnectionString());
        admin.Open();
        using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin);
        exists.Parameters.AddWithValue("name", _pgName);
        return exists.ExecuteScalar() is not null;
    }

    /// <summary>
    /// PostgreSQL only: a <see cref="TcpRelay"/> to this database's server and the connection string that goes through it,
    /// for a host whose database a test takes down (<see cref="TcpRelay.Down"/>) without stopping the shared server.
    /// </summary>
    public (TcpRelay Relay, string ConnectionString) Relayed()
    {
        if (_pgName is null) throw new InvalidOperationException("A relay is for PostgreSQL; SQLite has no server to stop.");
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        var relay = TcpRelay.Start(builder.Host!, builder.Port);
        builder.Host = "127.0.0.1";
        builder.Port = relay.Port;
        return (relay, builder.ConnectionString);
    }

    /// <summary>The same database for another node or process; disposing it leaves the database in place.</summary>
    public TestDatabase Shared() => new(Provider, ConnectionString, FilePath, _pgName, owned: false);

    /// <summary>Options configured exactly as the host configures them (<see cref="DatabaseSetup.Configure"/>).</summary>
    public void Configure(DbContextOptionsBuilder options) => DatabaseSetup.Configure(options, Configuration);

    /// <summary>A context of its own on this database, configured as the host configures it.</summary>
    public HelpDeskDbContext NewContext()
    {
        var options = new DbContextOptionsBuilder<HelpDeskDbContext>();
        Configure(options);
        return new HelpDeskDbContext(options.Options);
    }

    /// <summary>
    /// Interceptors a test registers as <see cref="IInterceptor"/> services (e.g. <see cref="TransientFaults"/>) join
    /// every context of the host, on top of the production configuration.
    /// </summary>
    public static void AddRegisteredInterceptors(IServiceCollection services) =>
        services.ConfigureDbContext<HelpDeskDbContext>((sp, o) => o.AddInterceptors(sp.GetServices<IInterceptor>()));

    /// <summary>A failure the run's provider retries: SQLITE_BUSY on SQLite, a serialization failure (40001) on PostgreSQL.</summary>
    public static Exception TransientFailure() => IsPostgreSql
        ? new PostgresException("could not serialize access due to concurrent update", "ERROR", "ERROR", "40001")
        : new SqliteException("database is locked", 5);

    private void Migrate()
    {
        using var db = NewContext();
        DatabaseSetup.MigrateAsync(db).GetAwaiter().GetResult();
    }

    private static string AdminConnectionString() =>
        Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } cs ? cs
            : throw new InvalidOperationException($"{ProviderVariable}=postgresql needs {PostgresVariable} (an admin connection string).");

    private static string WithDatabase(string connectionString, string database) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Database = database }.ConnectionString;

    /// <summary>
    /// The template for this build of the migrations: built under another name and renamed once migrated, so a run that
    /// died half-way never leaves a half-migrated template. Called under the advisory lock.
    /// </summary>
    private static string EnsureTemplate(NpgsqlConnection admin, string adminConnectionString)
    {
        var file = Path.Combine(AppContext.BaseDirectory, DatabaseSetup.PostgreSqlMigrations + ".dll");
        var hash = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)))[..16].ToLowerInvariant();
        var template = $"helpdesk_template_{hash}";
        using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin))
        {
            exists.Parameters.AddWithValue("name", template);
            if (exists.ExecuteScalar() is not null) return template;
        }
        var building = template + "_building";
        Execute(admin, $"DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)");
        Execute(admin, $"CREATE DATABASE \"{building}\"");
        var connectionString = new NpgsqlConnectionStringBuilder(WithDatabase(adminConnectionString, building)) { Pooling = false }.ConnectionString;
        using (var db = new TestDatabase("PostgreSql", connectionString, null, building, owned: false).NewContext())
            DatabaseSetup.MigrateAsync(db).GetAwaiter().GetResult();
        Execute(admin, $"ALTER DATABASE \"{building}\" RENAME TO \"{template}\"");
        return template;
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        if (!_owned || Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (_pgName is null)
        {
            SqliteConnection.ClearAllPools();
            foreach (var file in new[] { FilePath!, FilePath + "-wal", FilePath + "-shm", FilePath + "-journal" })
                if (File.Exists(file)) File.Delete(file);
            return;
        }
        using (var pooled = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(pooled);
        using var admin = new NpgsqlConnection(AdminConnectionString());
        admin.Open();
        Execute(admin, $"DROP DATABASE IF EXISTS \"{_pgName}\" WITH (FORCE)");
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
