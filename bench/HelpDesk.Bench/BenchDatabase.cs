using System.Diagnostics;
using System.Globalization;
using HelpDesk.Application;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Teams;
using HelpDesk.Web.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

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
/// A migrated SQLite file in the temp folder with a team, agents and customers, plus a raw ADO.NET bulk insert of
/// tickets (prepared statements, one transaction): EF would take minutes for 100,000 tickets with their history.
/// The column formats are the ones EF's SQLite provider writes (Guid as upper-case text, DateTime as
/// <c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c>, enums as names, primitive collections as JSON).
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    public const int Customers = 5_000;

    private readonly bool _owned = true;

    private BenchDatabase(string path) => Path = path;

    private BenchDatabase(string path, bool owned) : this(path) => _owned = owned;

    /// <summary>An existing (seeded) database file, left in place on dispose.</summary>
    public static BenchDatabase Existing(string path) =>
        File.Exists(path) ? new BenchDatabase(System.IO.Path.GetFullPath(path), owned: false) : throw new FileNotFoundException("No database file.", path);

    public string Path { get; }
    public string ConnectionString => $"Data Source={Path};Pooling=True";
    public Team Support { get; } = new(Guid.CreateVersion7(), "support", "Support");
    public Agent Admin { get; private set; } = null!;
    public Agent Alice { get; private set; } = null!;
    public Guid[] CustomerIds { get; } = Enumerable.Range(0, Customers).Select(_ => Guid.CreateVersion7()).ToArray();

    /// <summary>A migrated, empty database.</summary>
    public static async Task<BenchDatabase> CreateMigratedAsync()
    {
        var database = new BenchDatabase(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"helpdesk-bench-{Guid.NewGuid():N}.db"));
        await using var services = database.Services(SystemClock.Instance, _ => { });
        await using var scope = services.CreateAsyncScope();
        await DatabaseSetup.MigrateAsync(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>());
        return database;
    }

    /// <summary>A migrated database with a team (<see cref="Support"/>), <see cref="Admin"/>, <see cref="Alice"/> and the customers.</summary>
    public static async Task<BenchDatabase> CreateAsync()
    {
        var database = await CreateMigratedAsync();
        await using var services = database.Services(SystemClock.Instance, _ => { });
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        database.Admin = new Agent(Guid.CreateVersion7(), "admin@bench.test", "Admin", AgentRole.Admin, []);
        database.Alice = new Agent(Guid.CreateVersion7(), "alice@bench.test", "Alice", AgentRole.Agent, [database.Support.Id]);
        db.Teams.Add(database.Support);
        db.Agents.AddRange(database.Admin, database.Alice);
        await db.SaveChangesAsync();
        await database.InsertCustomersAsync();
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
        // Interceptors registered by a benchmark (e.g. to time commits) join every context.
        services.AddDbContext<HelpDeskDbContext>((sp, o) => o.UseSqlite(ConnectionString, HelpDesk.Migrations.Sqlite.SqliteRetryingExecutionStrategy.Configure)
            .AddInterceptors(sp.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>()));
        services.AddHelpDeskApplication();
        configure(services);
        return services.BuildServiceProvider();
    }

    private async Task InsertCustomersAsync()
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var tx = connection.BeginTransaction();
        await using var insert = Command(connection, tx, "INSERT INTO Customers (Id, Email, Name, Organisation) VALUES ($id, $email, $name, $org)");
        for (var i = 0; i < CustomerIds.Length; i++)
        {
            Bind(insert, Text(CustomerIds[i]), $"customer{i}@example.test", $"Customer {i}", i % 3 == 0 ? $"Org {i % 50}" : null);
            await insert.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    }

    /// <summary>Bulk-inserts tickets with their history and articles; returns the rows written.</summary>
    public async Task<(int Tickets, int History, int Articles, TimeSpan Elapsed)> InsertTicketsAsync(IEnumerable<SeedTicket> tickets)
    {
        var watch = Stopwatch.StartNew();
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var tx = connection.BeginTransaction();
        await using var ticket = Command(connection, tx,
            "INSERT INTO Tickets (Id, Number, Subject, RequesterId, TeamId, AssigneeId, Priority, Status, Channel, CreatedAt, UpdatedAt, Version, " +
            "LastPublicMessageVersion, FollowUpOf, SlaPolicyName, SlaDueAt, SlaNextAlertAt, Participants, Tags) VALUES " +
            "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, $14, $15, $16, '[]', $17)");
        await using var change = Command(connection, tx,
            "INSERT INTO TicketChanges (Id, Sequence, At, Kind, ActorType, ActorId, \"From\", \"To\", TicketId) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        await using var article = Command(connection, tx,
            "INSERT INTO Articles (Id, TicketId, Kind, Visibility, AuthorType, AuthorId, AuthorName, AuthorEmail, BodyText, BodyHtml, CreatedAt) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10)");
        int count = 0, changes = 0, articles = 0;
        var body = string.Concat(Enumerable.Repeat("The printer in room 4 prints every page twice and then jams. ", 8));
        foreach (var t in tickets)
        {
            var id = Text(Guid.CreateVersion7());
            var requester = CustomerIds[t.Number % CustomerIds.Length];
            var sequence = 0;
            var at = t.CreatedAt;
            void Change(string kind, string actorType, Guid? actor, string? from, string? to, Instant when)
            {
                Bind(change, Text(Guid.CreateVersion7()), ++sequence, Time(when), kind, actorType, actor is { } a ? Text(a) : null, from, to, id);
                change.ExecuteNonQuery();
                changes++;
            }
            void Article(string kind, string visibility, string authorType, Guid author, string name, Instant when)
            {
                Bind(article, Text(Guid.CreateVersion7()), id, kind, visibility, authorType, Text(author), name, null, body, Time(when));
                article.ExecuteNonQuery();
                articles++;
            }
            // The ticket row goes first (foreign keys); its version and status are the outcome of the history below.
            var extras = (t.Assigned ? 1 : 0) + (t.Note ? 1 : 0) + (t.Replied ? 1 : 0) + (t.Pending ? 1 : 0) + (t.Policy is null ? 0 : 1);
            var updatedAt = t.CreatedAt + Duration.FromMinutes(10 * extras);
            Bind(ticket, id, t.Number, $"Printer trouble #{t.Number}", Text(requester), Text(Support.Id), t.Assigned ? Text(Alice.Id) : null,
                t.Priority, t.Status, t.Number % 4 == 0 ? "api" : "email", Time(t.CreatedAt), Time(updatedAt), 1 + extras,
                t.Replied ? 1 + extras - (t.Pending ? 1 : 0) : 1, t.Policy, t.SlaDueAt is { } d ? Time(d) : null,
                t.SlaNextAlertAt is { } n ? Time(n) : null, t.Number % 10 == 0 ? "[\"vip\"]" : "[]");
            await ticket.ExecuteNonQueryAsync();
            count++;
            Change("Created", "Customer", requester, null, t.Priority, at);
            Article("Reply", "Public", "Customer", requester, "Customer", at);
            if (t.Policy is not null) Change("SlaPolicyApplied", "System", null, null, t.Policy, at);
            if (t.Assigned) Change("Assigned", "Agent", Alice.Id, null, Alice.Id.ToString(), at += Duration.FromMinutes(10));
            if (t.Note)
            {
                Article("Note", "Internal", "Agent", Alice.Id, "Alice", at += Duration.FromMinutes(10));
                Change("InternalNote", "Agent", Alice.Id, null, "note", at);
            }
            if (t.Replied)
            {
                Article("Reply", "Public", "Agent", Alice.Id, "Alice", at += Duration.FromMinutes(10));
                Change("PublicAgentReply", "Agent", Alice.Id, null, "reply", at);
                Change("StatusChanged", "Agent", Alice.Id, "New", "Open", at);
            }
            if (t.Pending) Change("StatusChanged", "Agent", Alice.Id, "Open", "Pending", at += Duration.FromMinutes(10));
        }
        await tx.CommitAsync();
        return (count, changes, articles, watch.Elapsed);
    }

    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction tx, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        return command;
    }

    internal static void Bind(SqliteCommand command, params object?[] values)
    {
        if (command.Parameters.Count == 0)
        {
            var names = System.Text.RegularExpressions.Regex.Matches(command.CommandText, @"\$\w+").Select(m => m.Value).Distinct().ToList();
            foreach (var name in names) command.Parameters.Add(new SqliteParameter(name, null));
            command.Prepare();
        }
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
    }

    internal static string Text(Guid id) => id.ToString().ToUpperInvariant();

    internal static string Time(Instant instant) => instant.ToDateTimeUtc().ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (!_owned) return ValueTask.CompletedTask;
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm", Path + "-journal" })
            if (File.Exists(file)) File.Delete(file);
        return ValueTask.CompletedTask;
    }
}
