using HelpDesk.Application.Persistence;
using HelpDesk.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace HelpDesk.Cluster.Tests.Infrastructure;

/// <summary>
/// The one database every node of a test's cluster shares, new for each cluster and removed after it. The nodes get it
/// as configuration (provider + connection string); the test reads it through its own <see cref="HelpDeskDbContext"/>
/// to see what the nodes did (leases, alerts, articles, outbox).
/// </summary>
public sealed class ClusterDatabase : IAsyncDisposable
{
    private readonly string _file;

    private ClusterDatabase(string provider, string connectionString, string file) =>
        (Provider, ConnectionString, _file) = (provider, connectionString, file);

    public string Provider { get; }
    public string ConnectionString { get; }

    /// <summary>The settings a node or the CLI needs to use this database.</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["HelpDesk:Database:Provider"] = Provider,
        ["ConnectionStrings:HelpDesk"] = ConnectionString,
    };

    /// <summary>A SQLite file several processes share (WAL, set by the first migration).</summary>
    public static Task<ClusterDatabase> CreateAsync()
    {
        var file = Path.Combine(Path.GetTempPath(), $"hd-cluster-{Guid.NewGuid():N}.db");
        return Task.FromResult(new ClusterDatabase("Sqlite", $"Data Source={file}", file));
    }

    public async Task<T> QueryAsync<T>(Func<HelpDeskDbContext, Task<T>> query)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        var options = new DbContextOptionsBuilder<HelpDeskDbContext>();
        DatabaseSetup.Configure(options, configuration);
        await using var db = new HelpDeskDbContext(options.Options);
        return await query(db);
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { _file, _file + "-wal", _file + "-shm" })
            try { File.Delete(f); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}
