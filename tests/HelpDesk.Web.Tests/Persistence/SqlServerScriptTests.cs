using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla;
using HelpDesk.BulkData;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace HelpDesk.Web.Tests.Persistence;

/// <summary>
/// No SQL Server runs here, so the production provider is checked through the SQL its migrations generate.
/// </summary>
public sealed class SqlServerScriptTests
{
    private static HelpDeskDbContext SqlServerContext() => new(new DbContextOptionsBuilder<HelpDeskDbContext>()
        .UseSqlServer("Server=unused;Database=HelpDesk;Trusted_Connection=True", o => o.MigrationsAssembly(Hosting.DatabaseSetup.SqlServerMigrations))
        .Options);

    [Fact]
    public void The_idempotent_migration_script_creates_every_table_of_the_model()
    {
        using var db = SqlServerContext();
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        foreach (var table in db.Model.GetEntityTypes().Select(e => e.GetTableName()).Distinct())
            script.Should().Contain($"CREATE TABLE [{table}]", $"the model maps a table {table}");
        script.Should().MatchRegex(@"IF NOT EXISTS\s*\(\s*SELECT \* FROM \[__EFMigrationsHistory\]", "every migration is guarded, so the script can be re-run");
        script.Should().Contain("datetime2", "instants are stored as UTC datetime2");
    }

    [Fact]
    public void The_idempotent_migration_script_parses_as_t_sql_including_its_guarded_statements()
    {
        using var db = SqlServerContext();
        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        TSql.Errors(script).Should().BeEmpty("SQL Server must accept the script that deploys the schema");
    }

    [Fact]
    public void Every_sql_server_migration_parses_as_t_sql_up_and_down()
    {
        using var db = SqlServerContext();
        var migrator = db.GetService<IMigrator>();
        var migrations = db.Database.GetMigrations().ToList();
        migrations.Should().NotBeEmpty();

        var errors = new List<string>();
        var previous = Migration.InitialDatabase;
        foreach (var migration in migrations)
        {
            errors.AddRange(TSql.Errors(migrator.GenerateScript(previous, migration)).Select(e => $"{migration} up: {e}"));
            errors.AddRange(TSql.Errors(migrator.GenerateScript(migration, previous)).Select(e => $"{migration} down: {e}"));
            previous = migration;
        }

        errors.Should().BeEmpty();
    }

    [Fact]
    public void Every_hand_written_statement_the_code_sends_to_sql_server_parses_as_t_sql()
    {
        using var db = SqlServerContext();
        var sql = ProviderSql.SqlServer;
        var statements = new Dictionary<string, string>
        {
            // ExecuteSqlRaw turns {0}, {1} into parameters @p0, @p1.
            ["ProviderSql.InsertMailSetting"] = string.Format(sql.InsertMailSetting, "@p0", "@p1"),
            ["ProviderSql.QueueIndexFilter"] = $"CREATE INDEX [IX_Check] ON [Tickets] ([TeamId]) WHERE {sql.QueueIndexFilter};",
            ["DerivedSlaWrites.UpdateSql"] = new DerivedSlaWrites(db).UpdateSql(),
            ["BulkWriter<Ticket>.InsertSql"] = new BulkWriter<Ticket>(db).InsertSql(3),
            ["BulkWriter<Customer>.InsertSql"] = new BulkWriter<Customer>(db).InsertSql(1),
        };
        if (sql.AfterMigrate is { } afterMigrate) statements["ProviderSql.AfterMigrate"] = afterMigrate;
        if (sql.AfterBulkWrite is { } afterBulk) statements["ProviderSql.AfterBulkWrite"] = afterBulk;

        statements.SelectMany(s => TSql.Errors(s.Value).Select(e => $"{s.Key}: {e}")).Should().BeEmpty();
        statements["DerivedSlaWrites.UpdateSql"].Should().StartWith("UPDATE [Tickets] SET").And.Contain("@readNext");
    }

    [Fact]
    public void The_t_sql_check_reports_a_syntax_error_even_inside_dynamic_sql()
    {
        TSql.Errors("SELECT [Id] FROM [Tickets] WHERE [Number] = 1;").Should().BeEmpty();
        TSql.Errors("SELECT [Id] FROM [Tickets] WHERE [Number] = ;").Should().ContainSingle();
        TSql.Errors("SELECT \"Id\" FROM \"Tickets\" LIMIT 10;").Should().NotBeEmpty("LIMIT is PostgreSQL and SQLite, not T-SQL");
        TSql.Errors("IF 1 = 1 BEGIN EXEC(N'UPDATE [Tickets] SET [Version] = [Version] + 1 WHERE;'); END;").Should().ContainSingle()
            .Which.Should().Contain("EXEC at line 1");
    }

    [Fact]
    public void The_sql_server_migrations_are_in_step_with_the_model()
    {
        using var db = SqlServerContext();
        db.Database.HasPendingModelChanges().Should().BeFalse("run dotnet ef migrations add for SqlServer after a model change");
    }

    [Fact]
    public void The_sqlite_migrations_are_in_step_with_the_model()
    {
        using var db = new HelpDeskDbContext(new DbContextOptionsBuilder<HelpDeskDbContext>()
            .UseSqlite("Data Source=:memory:", o => o.MigrationsAssembly(Hosting.DatabaseSetup.SqliteMigrations)).Options);
        db.Database.HasPendingModelChanges().Should().BeFalse("run dotnet ef migrations add for Sqlite after a model change");
    }
}

/// <summary>The search query SQL Server would run (no full-text catalog: LIKE over the normalised columns, docs/search.md), parsed offline.</summary>
public sealed class SqlServerSearchScriptTests
{
    [Theory]
    [InlineData("账户")]
    [InlineData("rechnung 账户 100%_[x]")]
    [InlineData("İstanbul")]
    public void The_search_query_parses_as_t_sql_and_compares_by_code_point(string q)
    {
        using var db = new HelpDeskDbContext(new DbContextOptionsBuilder<HelpDeskDbContext>()
            .UseSqlServer("Server=unused;Database=HelpDesk;Trusted_Connection=True", o => o.MigrationsAssembly(Hosting.DatabaseSetup.SqlServerMigrations)).Options);
        var terms = Application.Search.SearchText.Terms(q);

        var ranked = Application.Search.SearchTickets.SearchTicketsHandler.Ranked(db, db.Tickets.Where(t => t.Status == TicketStatus.Open), terms);
        // The two queries a page runs: the ranked head, and the older hits past it.
        foreach (var query in new[] { Application.Search.SearchTickets.SearchTicketsHandler.Head(ranked, 1000).ToQueryString(), Application.Search.SearchTickets.SearchTicketsHandler.Older(ranked, 1000, 26).ToQueryString() })
        {
            // ToQueryString declares raw SQL's parameters without their @ (the command itself names them @p0 …).
            var sql = query.Replace("DECLARE p", "DECLARE @p", StringComparison.Ordinal);

            TSql.Errors(sql).Should().BeEmpty(sql);
            sql.Should().Contain("[Body] COLLATE Latin1_General_100_BIN2 LIKE").And.Contain("ESCAPE '\\'");
            System.Text.RegularExpressions.Regex.Matches(sql, @"\[Title\] COLLATE Latin1_General_100_BIN2 LIKE").Count.Should().Be(2 * terms.Count, "each term is required and scored");
        }
    }
}
