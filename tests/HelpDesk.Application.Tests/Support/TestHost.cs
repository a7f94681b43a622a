using HelpDesk.Application;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla.DueQueue;
using Mediator;
using HelpDesk.Testing;
using HelpDesk.Web.Hosting;
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
/// The application as a host composes it (real mediator pipeline, real services, the host's database configuration) on
/// a fresh migrated database of the run's provider (<see cref="TestDatabase"/>) and a fake clock.
/// <see cref="RestartAsync"/> throws the process away and starts a fresh one on the same database.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    private bool _handedOver;

    private TestHost(TestDatabase database, FakeClock clock, Action<IServiceCollection>? configure)
    {
        Database = database;
        Clock = clock;
        Configure = configure;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IClock>(clock);
        services.AddSingleton(Agent);
        services.AddSingleton<ICurrentAgent>(Agent);
        services.AddHelpDeskDatabase(database.Configuration);
        TestDatabase.AddRegisteredInterceptors(services);
        services.AddHelpDeskApplication();
        configure?.Invoke(services);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public static readonly Instant Start = Instant.FromUtc(2026, 3, 2, 9, 0);

    public TestDatabase Database { get; }
    public FakeClock Clock { get; }
    public TestCurrentAgent Agent { get; } = new();
    public ServiceProvider Services { get; }
    private Action<IServiceCollection>? Configure { get; }

    public static TestHost Create(Action<IServiceCollection>? configure = null)
    {
        var database = TestDatabase.Create();
        try
        {
            return new TestHost(database, new FakeClock(Start), configure);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    /// <summary>Another node on the same database and clock (it never deletes the database).</summary>
    public static TestHost OnSameDatabase(TestHost node) => new(node.Database.Shared(), node.Clock, node.Configure);

    /// <summary>A new process on the same database and clock; this one is disposed.</summary>
    public async Task<TestHost> RestartAsync()
    {
        _handedOver = true;
        await Services.DisposeAsync();
        return new TestHost(Database, Clock, Configure);
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
        if (!_handedOver) await Database.DisposeAsync();
    }
}
