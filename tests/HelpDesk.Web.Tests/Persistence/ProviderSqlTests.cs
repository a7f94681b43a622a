using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Testing;
using HelpDesk.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace HelpDesk.Web.Tests.Persistence;

/// <summary>
/// The SQL that differs per provider (<see cref="ProviderSql"/>): each provider's model carries its own variant (checked
/// offline against its migrations), and the run's real database (SQLite, or PostgreSQL under
/// <c>HELPDESK_TEST_DATABASE=postgresql</c>) executes its variants.
/// </summary>
public sealed class ProviderSqlTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.Create();

    public void Dispose() => _database.Dispose();

    private static HelpDeskDbContext Offline(ProviderSql provider)
    {
        var options = new DbContextOptionsBuilder<HelpDeskDbContext>();
        if (provider == ProviderSql.Sqlite) options.UseSqlite("Data Source=:memory:", o => o.MigrationsAssembly(DatabaseSetup.SqliteMigrations));
        else if (provider == ProviderSql.SqlServer) options.UseSqlServer("Server=unused;Database=HelpDesk;Trusted_Connection=True", o => o.MigrationsAssembly(DatabaseSetup.SqlServerMigrations));
        else options.UseNpgsql("Host=unused;Database=helpdesk", o => o.MigrationsAssembly(DatabaseSetup.PostgreSqlMigrations));
        return new HelpDeskDbContext(options.Options);
    }

    public static TheoryData<string> Providers => new(ProviderSql.All.Select(p => p.Name));

    private static ProviderSql Named(string name) => ProviderSql.All.Single(p => p.Name == name);

    [Theory]
    [MemberData(nameof(Providers))]
    public void Each_provider_model_uses_its_own_sql_and_its_migrations_are_in_step(string name)
    {
        using var db = Offline(Named(name));

        db.Sql.Should().BeSameAs(Named(name));
        db.Model.FindEntityType(typeof(Domain.Tickets.Ticket))!.GetIndexes().Single(i => i.GetDatabaseName() == "IX_Tickets_Queue")
            .GetFilter().Should().Be(Named(name).QueueIndexFilter);
        db.Database.HasPendingModelChanges().Should().BeFalse($"run dotnet ef migrations add for {name} after a model change");
    }

    [Fact]
    public void The_postgresql_script_creates_every_table_and_the_partial_queue_index_with_quoted_identifiers()
    {
        using var db = Offline(ProviderSql.PostgreSql);
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        foreach (var table in db.Model.GetEntityTypes().Select(e => e.GetTableName()).Distinct())
            script.Should().Contain($"CREATE TABLE \"{table}\"", $"the model maps a table {table}");
        script.Should().Contain("timestamp with time zone", "instants are stored as UTC timestamptz");
        script.Should().MatchRegex("""CREATE INDEX "IX_Tickets_Queue" ON "Tickets" \(.*\) WHERE "Status" IN \('New', 'Open', 'Pending', 'OnHold'\)""");
    }

    [Fact]
    public void The_sql_server_variants_are_plain_bracket_quoted_statements()
    {
        ProviderSql.SqlServer.QueueIndexFilter.Should().Be("[Status] IN ('New', 'Open', 'Pending', 'OnHold')");
        ProviderSql.SqlServer.InsertMailSetting.Should().Be("INSERT INTO [MailSettings] ([Name], [Value]) VALUES ({0}, {1})");
        ProviderSql.SqlServer.BulkSessionSettings.Should().BeEmpty();
    }

    [Fact]
    public async Task The_run_database_inserts_a_mail_setting_once_and_a_second_insert_changes_nothing()
    {
        await using var db = _database.NewContext();

        var first = await db.Database.ExecuteSqlRawAsync(db.Sql.InsertMailSetting, ["test.setting", "one"]);
        var second = await Insert(db, "test.setting", "two");

        first.Should().Be(1);
        second.Should().Be(0);
        (await db.Set<MailSetting>().Where(s => s.Name == "test.setting").Select(s => s.Value).SingleAsync()).Should().Be("one");
    }

    private static async Task<int> Insert(HelpDeskDbContext db, string name, string value)
    {
        try
        {
            return await db.Database.ExecuteSqlRawAsync(db.Sql.InsertMailSetting, [name, value]);
        }
        catch (System.Data.Common.DbException)
        {
            return 0;
        }
    }

    [Fact]
    public async Task The_run_database_has_the_queue_index_filtered_to_workable_tickets()
    {
        await using var db = _database.NewContext();
        var definition = db.Sql == ProviderSql.PostgreSql
            ? await db.Database.SqlQueryRaw<string>("""SELECT indexdef AS "Value" FROM pg_indexes WHERE indexname = 'IX_Tickets_Queue'""").SingleAsync()
            : await db.Database.SqlQueryRaw<string>("SELECT sql AS Value FROM sqlite_master WHERE name = 'IX_Tickets_Queue'").SingleAsync();

        definition.Should().MatchRegex(@"WHERE .*Status.*'New'.*'Open'.*'Pending'.*'OnHold'");
    }

    [Fact]
    public async Task The_run_database_applies_its_post_migration_and_bulk_statements()
    {
        await using var db = _database.NewContext();
        await db.Database.OpenConnectionAsync();
        foreach (var statement in new[] { db.Sql.AfterMigrate, db.Sql.AfterBulkWrite }.OfType<string>()
            .Concat(db.Sql.BulkSessionSettings.Select(s => $"PRAGMA {s.Pragma}={s.Value};")))
            await db.Database.ExecuteSqlRawAsync(statement);
        if (db.Sql == ProviderSql.Sqlite)
            (await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync()).Should().Equal("wal");
        else
            db.Sql.Should().BeSameAs(ProviderSql.PostgreSql).And.Match<ProviderSql>(p => p.AfterMigrate == null && p.BulkSessionSettings.Count == 0);
    }
}
