using System.Diagnostics;
using HelpDesk.Application;
using HelpDesk.BulkData;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Search;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Teams;
using HelpDesk.Domain.Tickets;
using HelpDesk.Web.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using Npgsql;

namespace HelpDesk.Bench;

/// <summary>An agent id the bench acts as (null: the system).</summary>
internal sealed class BenchAgent : ICurrentAgent
{
    public Guid? AgentId { get; set; }
}

/// <summary>One ticket to bulk-insert: its SLA-relevant shape. History is created, policy applied, then the extras.</summary>
internal sealed record SeedTicket(int Number, Instant CreatedAt, string Priority, string Status, bool Assigned, bool Note, bool Replied,
    bool Pending, string? Policy, Instant? SlaDueAt, Instant? SlaNextAlertAt);

/// <summary>
/// A migrated database of its own on the benchmark's provider (a SQLite file in the temp folder, or a database on the
/// PostgreSQL server, dropped on dispose) with a team, agents and customers, plus a bulk insert of tickets: aggregates
/// built by the domain's own methods, written by the model-driven <see cref="BulkWriter{T}"/> (EF's SaveChanges would
/// take minutes for 100,000 tickets with their history).
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    public const int Customers = 5_000;
    private const int TicketsPerTransaction = 2_000;

    private readonly bool _owned = true;
    private readonly string? _pgName;

    private BenchDatabase(BenchProvider provider, string connectionString, string? path, string? pgName, bool owned)
    {
        Provider = provider;
        ConnectionString = connectionString;
        Path = path;
        _pgName = pgName;
        _owned = owned;
    }

    /// <summary>An existing (seeded) SQLite file, left in place on dispose.</summary>
    public static BenchDatabase Existing(BenchProvider provider, string path) =>
        provider.IsSqlite && File.Exists(path)
            ? new BenchDatabase(provider, $"Data Source={System.IO.Path.GetFullPath(path)};Pooling=True", System.IO.Path.GetFullPath(path), null, owned: false)
            : throw new FileNotFoundException("No SQLite database file (--database is for SQLite).", path);

    public BenchProvider Provider { get; }
    public string ConnectionString { get; }

    /// <summary>The SQLite file (null on PostgreSQL).</summary>
    public string? Path { get; }

    public Team Support { get; } = new(Guid.CreateVersion7(), "support", "Support");
    public Agent Admin { get; private set; } = null!;
    public Agent Alice { get; private set; } = null!;
    public Customer[] CustomerRows { get; } = Enumerable.Range(0, Customers)
        .Select(i => new Customer(Guid.CreateVersion7(), $"customer{i}@example.test", $"Customer {i}", i % 3 == 0 ? $"Org {i % 50}" : null)).ToArray();
    public Guid[] CustomerIds => CustomerRows.Select(c => c.Id).ToArray();

    /// <summary>The settings that point a host at this database (as <c>HelpDesk:Database:Provider</c> etc.).</summary>
    public IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["HelpDesk:Database:Provider"] = Provider.Setting,
        ["ConnectionStrings:HelpDesk"] = ConnectionString,
    };

    /// <summary>A migrated, empty database (SQLite: at <paramref name="keepAt"/>, left in place on dispose, when given).</summary>
    public static async Task<BenchDatabase> CreateMigratedAsync(BenchProvider provider, string? keepAt = null)
    {
        BenchDatabase database;
        if (provider.IsSqlite)
        {
            var path = keepAt is null ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"helpdesk-bench-{Guid.NewGuid():N}.db") : System.IO.Path.GetFullPath(keepAt);
            database = new BenchDatabase(provider, $"Data Source={path};Pooling=True", path, null, owned: keepAt is null);
        }
        else
        {
            var name = $"hd_bench_{Guid.NewGuid():N}";
            await using (var admin = new NpgsqlConnection(provider.AdminConnectionString))
            {
                await admin.OpenAsync();
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
                await create.ExecuteNonQueryAsync();
            }
            database = new BenchDatabase(provider, new NpgsqlConnectionStringBuilder(provider.AdminConnectionString) { Database = name }.ConnectionString,
                null, name, owned: true);
        }
        await using var services = database.Services(SystemClock.Instance, _ => { });
        await using var scope = services.CreateAsyncScope();
        await DatabaseSetup.MigrateAsync(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>());
        return database;
    }

    /// <summary>A migrated database with a team (<see cref="Support"/>), <see cref="Admin"/>, <see cref="Alice"/> and the customers.</summary>
    public static async Task<BenchDatabase> CreateAsync(BenchProvider provider)
    {
        var database = await CreateMigratedAsync(provider);
        await using var services = database.Services(SystemClock.Instance, _ => { });
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        database.Admin = new Agent(Guid.CreateVersion7(), "admin@bench.test", "Admin", AgentRole.Admin, []);
        database.Alice = new Agent(Guid.CreateVersion7(), "alice@bench.test", "Alice", AgentRole.Agent, [database.Support.Id]);
        db.Teams.Add(database.Support);
        db.Agents.AddRange(database.Admin, database.Alice);
        await db.SaveChangesAsync();
        await db.InTransactionAsync(async (tx, ct) =>
        {
            await using var customers = new BulkWriter<Customer>(db) { Transaction = tx };
            await customers.AddRangeAsync(database.CustomerRows, ct);
            await customers.FlushAsync(ct);
            return customers.Written;
        }, CancellationToken.None);
        return database;
    }

    /// <summary>The application's services on this database, as a host composes them.</summary>
    public ServiceProvider Services(IClock clock, Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(clock);
        var agent = new BenchAgent();
        services.AddSingleton(agent);
        services.AddSingleton<ICurrentAgent>(agent);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();
        // Interceptors registered by a benchmark (e.g. to time commits) join every context.
        services.AddDbContext<HelpDeskDbContext>((sp, o) => DatabaseSetup.Configure(o.AddInterceptors(sp.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>()), configuration));
        services.AddHelpDeskApplication();
        services.AddHelpDeskBulkData();
        configure(services);
        return services.BuildServiceProvider();
    }

    /// <summary>The database's size on disk, in MiB.</summary>
    public async Task<double> SizeMiBAsync(HelpDeskDbContext db)
    {
        if (Path is not null) return new FileInfo(Path).Length / 1024.0 / 1024;
        var bytes = await db.Database.SqlQueryRaw<long>("SELECT pg_database_size(current_database()) AS \"Value\"").SingleAsync();
        return bytes / 1024.0 / 1024;
    }

    /// <summary>Bulk-inserts tickets with their history and articles; returns the rows written.</summary>
    public async Task<(int Tickets, long History, long Articles, TimeSpan Elapsed)> InsertTicketsAsync(IEnumerable<SeedTicket> tickets)
    {
        var watch = Stopwatch.StartNew();
        await using var services = Services(SystemClock.Instance, _ => { });
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        var body = string.Concat(Enumerable.Repeat("The printer in room 4 prints every page twice and then jams. ", 8));
        var alice = Actor.ForAgent(Alice.Id, Alice.Name, Alice.Email);
        int count = 0;
        long changes = 0, articles = 0;
        foreach (var chunk in tickets.Chunk(TicketsPerTransaction))
        {
            var built = chunk.Select(t => Build(t, body, alice)).ToList();
            var ticketId = Guid.Empty;
            var written = await db.InTransactionAsync(async (tx, ct) =>
            {
                await using var ticketRows = new BulkWriter<Ticket>(db) { Transaction = tx };
                await using var articleRows = new BulkWriter<Article>(db) { Transaction = tx };
                await using var history = new BulkWriter<TicketChange>(db, new Dictionary<string, Func<TicketChange, object?>> { ["TicketId"] = _ => ticketId }) { Transaction = tx };
                // Inserted without EF, so without the unit of work's indexing: the documents are written here, derived the same way.
                await using var documents = new BulkWriter<SearchDocument>(db) { Transaction = tx };
                // Parents first: the foreign keys are checked on every insert.
                await ticketRows.AddRangeAsync(built, ct);
                await ticketRows.FlushAsync(ct);
                foreach (var ticket in built)
                {
                    ticketId = ticket.Id;
                    await articleRows.AddRangeAsync(ticket.Articles, ct);
                    await history.AddRangeAsync(ticket.History, ct);
                    await documents.AddAsync(SearchDocument.Of(ticket, RequesterOf(ticket.Number)), ct);
                }
                await articleRows.FlushAsync(ct);
                await history.FlushAsync(ct);
                await documents.FlushAsync(ct);
                return (history.Written, articleRows.Written);
            }, CancellationToken.None);
            count += built.Count;
            changes += written.Item1;
            articles += written.Item2;
        }
        return (count, changes, articles, watch.Elapsed);
    }

    private Customer RequesterOf(int number) => CustomerRows[number % CustomerRows.Length];

    /// <summary>The ticket as the desk would have it after its story: opened, policy applied, then the extras 10 minutes apart.</summary>
    private Ticket Build(SeedTicket t, string body, Actor alice)
    {
        var requester = RequesterOf(t.Number);
        var at = t.CreatedAt;
        var ticket = Ticket.Open(Guid.CreateVersion7(), t.Number, $"Printer trouble #{t.Number}", requester, Support.Id, Enum.Parse<Priority>(t.Priority),
            t.Number % 4 == 0 ? "api" : "email", body, null, Actor.ForCustomer(requester.Id, requester.Name, requester.Email), at);
        if (t.Number % 10 == 0) ticket.AddTag("vip", Actor.System, at);
        if (t.Policy is not null) ticket.ApplySlaPolicy(t.Policy, at);
        if (t.Assigned) ticket.Assign(Alice, alice, at += Duration.FromMinutes(10));
        if (t.Note) ticket.AddInternalNote(Alice, body, null, at += Duration.FromMinutes(10));
        if (t.Replied)
        {
            ticket.AddAgentReply(Alice, body, null, null, at += Duration.FromMinutes(10));
            ticket.ChangeStatus(TicketStatus.Open, alice, at);
        }
        if (t.Pending) ticket.ChangeStatus(TicketStatus.Pending, alice, at += Duration.FromMinutes(10));
        ticket.ScheduleSla(t.SlaDueAt, t.SlaNextAlertAt);
        ticket.ClearEvents();
        return ticket;
    }

    public async ValueTask DisposeAsync()
    {
        if (_pgName is null)
        {
            SqliteConnection.ClearAllPools();
            if (!_owned) return;
            foreach (var file in new[] { Path!, Path + "-wal", Path + "-shm", Path + "-journal" })
                if (File.Exists(file)) File.Delete(file);
            return;
        }
        await using (var pooled = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(pooled);
        await using var admin = new NpgsqlConnection(Provider.AdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_pgName}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
