using HelpDesk.Application;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla.DueQueue;
using HelpDesk.Migrations.Sqlite;
using Mediator;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;
using NodaTime.Testing;

namespace HelpDesk.Application.Tests.Support;

/// <summary>Acts as whichever agent the test says (null: the system).</summary>
public sealed class TestCurrentAgent : ICurrentAgent
{
    public Guid? AgentId { get; set; }
}

/// <summary>
/// The application as a host composes it (real mediator pipeline, real services) on a SQLite file and a fake clock.
/// <see cref="RestartAsync"/> throws the process away and starts a fresh one on the same database file.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    private bool _ownsDatabase = true;

    private TestHost(string databasePath, FakeClock clock, Action<IServiceCollection>? configure)
    {
        DatabasePath = databasePath;
        Clock = clock;
        Configure = configure;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(clock);
        services.AddSingleton(Agent);
        services.AddSingleton<ICurrentAgent>(Agent);
        // The production provider options (the retrying execution strategy among them); interceptors a test registers
        // (e.g. TransientFaults) join every context.
        services.AddDbContext<HelpDeskDbContext>((sp, o) => o.UseSqlite($"Data Source={databasePath};Pooling=False", SqliteRetryingExecutionStrategy.Configure)
            .AddInterceptors(sp.GetServices<IInterceptor>()));
        services.AddHelpDeskApplication();
        configure?.Invoke(services);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public static readonly Instant Start = Instant.FromUtc(2026, 3, 2, 9, 0);

    /// <summary>A failure this host's provider retries (SQLite: SQLITE_BUSY), for <see cref="TransientFaults"/>.</summary>
    public static Exception TransientFailure() => new SqliteException("database is locked", 5);

    public string DatabasePath { get; }
    public FakeClock Clock { get; }
    public TestCurrentAgent Agent { get; } = new();
    public ServiceProvider Services { get; }
    private Action<IServiceCollection>? Configure { get; }

    public static TestHost Create(Action<IServiceCollection>? configure = null)
    {
        var path = Path.Combine(Path.GetTempPath(), $"helpdesk-test-{Guid.NewGuid():N}.db");
        var host = new TestHost(path, new FakeClock(Start), configure);
        using var scope = host.Services.CreateScope();
        scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>().Database.EnsureCreated();
        return host;
    }

    /// <summary>Another node on the same database and clock (it never deletes the database).</summary>
    public static TestHost OnSameDatabase(TestHost node) => new(node.DatabasePath, node.Clock, node.Configure) { _ownsDatabase = false };

    /// <summary>A new process on the same database and clock; this one is disposed.</summary>
    public async Task<TestHost> RestartAsync()
    {
        _ownsDatabase = false;
        await DisposeAsync();
        return new TestHost(DatabasePath, Clock, Configure);
    }

    public async Task<T> SendAsync<T>(ICommand<T> command, Guid? asAgent = null)
    {
        Agent.AgentId = asAgent;
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command);
    }

    public async Task<T> QueryAsync<T>(IQuery<T> query, Guid? asAgent = null)
    {
        Agent.AgentId = asAgent;
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(query);
    }

    public async Task<T> WithScopeAsync<T>(Func<IServiceProvider, HelpDeskDbContext, Task<T>> work)
    {
        Agent.AgentId = null;
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider, scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>());
    }

    public Task<T> WithDbAsync<T>(Func<HelpDeskDbContext, Task<T>> work) => WithScopeAsync((_, db) => work(db));

    public Task<DueQueueResult> FireDueAsync() => Services.GetRequiredService<SlaDueQueue>().FireDueAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        if (!_ownsDatabase) return;
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm", DatabasePath + "-journal" })
            if (File.Exists(file)) File.Delete(file);
    }
}
