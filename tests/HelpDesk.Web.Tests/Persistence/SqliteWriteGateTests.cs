using System.Text;
using HelpDesk.Application;
using HelpDesk.Application.AgentConsole;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Teams;
using HelpDesk.Mail;
using HelpDesk.Mail.Inbound;
using HelpDesk.Migrations.Sqlite;
using HelpDesk.Web.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace HelpDesk.Web.Tests.Persistence;

/// <summary>
/// Writers of one process on one SQLite file take turns (<see cref="SqliteWriteGate"/>, docs/benchmarks.md "Write-lock
/// stalls"): a background job's writes beside mail ingestion never meet SQLITE_BUSY, on which Microsoft.Data.Sqlite
/// sleeps 150 ms. SQLite only: on PostgreSQL and SQL Server nothing of it is configured.
/// </summary>
public sealed class SqliteWriteGateTests : IAsyncDisposable
{
    private readonly string _file = Path.Combine(Path.GetTempPath(), $"helpdesk-gate-{Guid.NewGuid():N}.db");

    private ServiceProvider Services(bool gate)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HelpDesk:Database:Provider"] = "Sqlite",
            ["ConnectionStrings:HelpDesk"] = $"Data Source={_file}",
            ["HelpDesk:Database:Sqlite:WriteGate"] = gate ? "true" : "false",
            ["HelpDesk:Database:Sqlite:BusyProbe"] = "true",
            ["HelpDesk:Mail:SystemAddress"] = "support@helpdesk.test",
        }).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(new FakeClock(Instant.FromUtc(2026, 3, 2, 9, 0)));
        services.AddScoped<ICurrentAgent, SystemCaller>();
        services.AddHelpDeskDatabase(configuration);
        services.AddHelpDeskApplication();
        services.AddHelpDeskMailIngestion(configuration);
        services.AddScoped<ConsoleStreams>(); // as the web host's agent console registers it
        return services.BuildServiceProvider();
    }

    /// <summary>
    /// A background job (a lease renewal and console appends, as the due-queue makes them) writing while two mailgate
    /// hand-offs ingest mail; returns the probe that counted every SQLITE_BUSY of the file and the ingestion outcomes.
    /// </summary>
    private async Task<(SqliteWriteInterceptor Probe, List<string> Outcomes)> WriteSideBySideAsync(bool gate)
    {
        await using var services = Services(gate);
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
            await DatabaseSetup.MigrateAsync(db);
            db.Teams.Add(new Team(Guid.CreateVersion7(), "support", "Support"));
            await db.SaveChangesAsync();
        }
        var outcomes = new List<string>();
        var background = Task.Run(async () =>
        {
            BackgroundWork.Enter("test-background");
            for (var i = 0; i < 30; i++)
            {
                await using var scope = services.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<LeaseManager>().TryAcquireAsync("test-lease", Duration.FromSeconds(30), CancellationToken.None);
                await scope.ServiceProvider.GetRequiredService<ConsoleStreams>().AppendAsync([("team:support", "test", null, "{}")], CancellationToken.None);
            }
        });
        var ingestion = Enumerable.Range(0, 2).Select(client => Task.Run(async () =>
        {
            for (var i = 0; i < 15; i++)
            {
                await using var scope = services.CreateAsyncScope();
                var raw = Encoding.UTF8.GetBytes($"From: c{client}@example.test\r\nTo: support@helpdesk.test\r\nSubject: Parcel {client}/{i}\r\n" +
                                                 $"Message-ID: <gate.{client}.{i}@example.test>\r\n\r\nWhere is it?\r\n");
                var outcome = await scope.ServiceProvider.GetRequiredService<MailIngestor>().IngestAsync(MailIngestor.MailgateMailbox, raw, "test", CancellationToken.None);
                lock (outcomes) outcomes.Add(outcome.Outcome);
            }
        })).ToList();
        await Task.WhenAll([background, .. ingestion]);
        return (SqliteWriteInterceptor.For($"Data Source={_file}", gate, probe: true), outcomes);
    }

    [Fact]
    public async Task A_background_writer_and_mail_ingestion_in_one_process_never_meet_a_busy_database()
    {
        var (probe, outcomes) = await WriteSideBySideAsync(gate: true);

        outcomes.Should().HaveCount(30).And.OnlyContain(o => o == MailOutcome.Created);
        probe.BusyCount.Should().Be(0, "writers of one process wait for their turn, not for SQLITE_BUSY and a 150 ms sleep");
        probe.Stalls.Should().BeEmpty();
    }

    [Fact]
    public async Task Without_the_gate_the_same_writers_meet_SQLITE_BUSY_and_the_probe_names_who_held_the_lock()
    {
        var (probe, outcomes) = await WriteSideBySideAsync(gate: false);

        outcomes.Should().HaveCount(30).And.OnlyContain(o => o == MailOutcome.Created);
        probe.BusyCount.Should().BePositive("this is the collision the gate removes (docs/benchmarks.md)");
        // Which writers collide is timing (background with ingestion, or two ingestion clients); that the probe names the holder is not.
        probe.Stalls.Keys.Should().NotBeEmpty().And.Contain(k => !k.Holder.StartsWith("another connection", StringComparison.Ordinal),
            "a stall inside one process names the writer that held the lock");
    }

    [Fact]
    public void A_database_on_another_provider_gets_no_write_gate()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["HelpDesk:Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:HelpDesk"] = "Host=unused;Database=helpdesk",
        }).Build();
        var options = new DbContextOptionsBuilder<HelpDeskDbContext>();

        DatabaseSetup.Configure(options, configuration);

        var interceptors = options.Options.FindExtension<CoreOptionsExtension>()?.Interceptors ?? [];
        interceptors.Should().NotContain(i => i is SqliteWriteInterceptor);
    }

    [Fact]
    public async Task A_second_writer_waits_for_the_first_ones_commit_and_a_background_writer_goes_last()
    {
        var gate = SqliteWriteGate.For($"Data Source={_file}")!;
        var order = new List<string>();
        await gate.EnterAsync(background: false, TimeSpan.FromSeconds(5), CancellationToken.None);
        var background = Task.Run(async () =>
        {
            await gate.EnterAsync(background: true, TimeSpan.FromSeconds(5), CancellationToken.None);
            lock (order) order.Add("background");
            gate.Exit();
        });
        while (gate.Waiting < 1) await Task.Delay(1);
        var foreground = Task.Run(async () =>
        {
            await gate.EnterAsync(background: false, TimeSpan.FromSeconds(5), CancellationToken.None);
            lock (order) order.Add("foreground");
            gate.Exit();
        });
        while (gate.Waiting < 2) await Task.Delay(1);
        order.Should().BeEmpty("the first writer still holds the turn");

        gate.Exit();
        await Task.WhenAll(background, foreground);

        order.Should().Equal("foreground", "background");
    }

    [Fact]
    public async Task A_writer_that_does_not_get_its_turn_within_the_timeout_fails_as_SQLite_busy_and_leaves_the_queue()
    {
        var gate = SqliteWriteGate.For($"Data Source={_file}")!;
        await gate.EnterAsync(background: false, TimeSpan.FromSeconds(5), CancellationToken.None);

        var late = async () => await gate.EnterAsync(background: false, TimeSpan.FromMilliseconds(50), CancellationToken.None);

        (await late.Should().ThrowAsync<SqliteException>()).Which.SqliteErrorCode.Should().Be(5);
        gate.Exit();
        await gate.EnterAsync(background: false, TimeSpan.FromMilliseconds(50), CancellationToken.None);
        gate.Exit();
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _file, _file + "-wal", _file + "-shm" })
            if (File.Exists(file)) File.Delete(file);
        return ValueTask.CompletedTask;
    }
}
