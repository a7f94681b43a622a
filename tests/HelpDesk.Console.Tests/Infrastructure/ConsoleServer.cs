using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Testing;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Console.Tests.Infrastructure;

/// <summary>The real app on a real loopback Kestrel port over a fresh database of the run's provider, with a fake clock.</summary>
public sealed class ConsoleServer : IAsyncLifetime
{
    public ConsoleServer() : this(null) { }

    /// <param name="database">A database shared with another node; by default one of its own.</param>
    /// <param name="redis">A Redis SignalR backplane to join (HelpDesk:Redis); by default none.</param>
    private ConsoleServer(TestDatabase? database, string? redis = null, IReadOnlyDictionary<string, string?>? settings = null) =>
        Factory = new HelpDeskFactory(database, redis is null ? settings
            : new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["HelpDesk:Redis"] = redis });

    /// <summary>A node of its own database with extra settings.</summary>
    public static ConsoleServer WithSettings(IReadOnlyDictionary<string, string?> settings) => new(null, null, settings);

    /// <summary>
    /// A node of its own database listening on a port chosen before it starts, so settings can name its own address
    /// (<c>HelpDesk:PublicBaseUrl</c> for mailed links, which the hub's origin check then allows).
    /// </summary>
    public static ConsoleServer AtOwnAddress(Func<string, IReadOnlyDictionary<string, string?>> settings)
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new ConsoleServer(null, null, settings($"http://127.0.0.1:{port}")) { _port = port };
    }

    private int _port;

    /// <summary>A second node on <paramref name="other"/>'s database. (xunit fixtures may have one public constructor.)</summary>
    public static ConsoleServer SharingDatabaseWith(ConsoleServer other, string? redis = null) => new(other.Factory.Database.Shared(), redis);

    /// <summary>A node of its own database on a Redis backplane.</summary>
    public static ConsoleServer WithRedis(string redis) => new(null, redis);

    public HelpDeskFactory Factory { get; }
    public Uri BaseAddress { get; private set; } = null!;
    private static int _agents;

    public Task InitializeAsync()
    {
        Factory.UseKestrel(_port);
        Factory.StartServer();
        var address = Factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1"));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();

    /// <summary>A new agent (unique e-mail) in <paramref name="teams"/>, with an API client on the real port.</summary>
    public Task<TestAgent> AgentAsync(string name, params string[] teams) => AgentWithRoleAsync(name, "agent", teams);

    /// <summary>A new team lead (unique e-mail) of <paramref name="teams"/>.</summary>
    public Task<TestAgent> LeadAsync(string name, params string[] teams) => AgentWithRoleAsync(name, "lead", teams);

    /// <summary>A new admin (unique e-mail) of no team.</summary>
    public Task<TestAgent> AdminAsync(string name) => AgentWithRoleAsync(name, "admin", []);

    private async Task<TestAgent> AgentWithRoleAsync(string name, string role, string[] teams)
    {
        var email = $"{name}{Interlocked.Increment(ref _agents)}@desk.test";
        using var tokenClient = await Factory.AgentClientAsync(email, role, teams);
        var token = tokenClient.DefaultRequestHeaders.Authorization!.Parameter!;
        var http = new HttpClient { BaseAddress = BaseAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return new TestAgent(email, token, http, this);
    }

    public HubConnection Hub(string? token) => new HubConnectionBuilder()
        .WithUrl(new Uri(BaseAddress, "/hubs/console"), o =>
        {
            if (token is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(token);
        })
        .AddJsonProtocol()
        .Build();
}

public sealed record TestAgent(string Email, string Token, HttpClient Http, ConsoleServer Server)
{
    public async Task<int> CreateTicketAsync(string team, string subject = "Cannot log in", string body = "It says my account is locked.",
        string priority = "normal", string customer = "maria@example.test")
    {
        var response = await Http.PostAsJsonAsync("/api/v1/tickets", new { subject, body, requester = new { email = customer, name = "Maria" }, priority, team });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt32();
    }

    public async Task<HttpResponseMessage> PostAsync(string path, object body) => await Http.PostAsJsonAsync(path, body);

    public async Task<JsonElement> GetAsync(string path)
    {
        var response = await Http.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<HubConnection> ConnectAsync()
    {
        var hub = Server.Hub(Token);
        await hub.StartAsync();
        return hub;
    }
}

/// <summary>Waits on a condition with a deadline (never a fixed sleep).</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<T?> probe, TimeSpan? deadline = null, string? because = null) where T : class =>
        (await PollAsync(() => probe() is { } v ? (true, v) : (false, default!), deadline, because));

    public static async Task<T> ValueAsync<T>(Func<T?> probe, TimeSpan? deadline = null, string? because = null) where T : struct =>
        await PollAsync(() => probe() is { } v ? (true, v) : (false, default), deadline, because);

    private static async Task<T> PollAsync<T>(Func<(bool Done, T Value)> probe, TimeSpan? deadline, string? because)
    {
        var until = DateTime.UtcNow + (deadline ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var (done, value) = probe();
            if (done) return value;
            if (DateTime.UtcNow > until) throw new TimeoutException($"Condition not met in time: {because}");
            await Task.Delay(20);
        }
    }

    public static async Task TrueAsync(Func<bool> probe, TimeSpan? deadline = null, string? because = null) =>
        await WaitAsync(() => probe() ? "" : null, deadline, because);
}
