using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Application.Tests.Support;

/// <summary>
/// A test class with its own database seeded with the <see cref="Desk"/>, thrown away afterwards;
/// <paramref name="configure"/> adjusts the services (options) first.
/// </summary>
public abstract class DeskTest(bool withPolicy = true, Action<IServiceCollection>? configure = null) : IAsyncLifetime
{
    protected TestHost _host = null!;
    protected Desk _desk = null!;

    public async Task InitializeAsync()
    {
        _host = TestHost.Create(configure);
        _desk = await Desk.SeedAsync(_host, withPolicy);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();
}
