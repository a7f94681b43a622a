using System.Diagnostics;
using System.Net.Http.Json;
using HelpDesk.Application.Persistence;
using HelpDesk.Console.Tests.Infrastructure;
using HelpDesk.Testing;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Cluster.Tests.Infrastructure;

/// <summary>
/// Several app nodes (separate processes) on one database of the run's provider (<see cref="TestDatabase"/>: PostgreSQL
/// in the PostgreSQL run, the only run these tests are part of) and one Redis backplane, with short leases. The first node
/// starts alone on a database the CLI has migrated and given an admin and a token (<c>helpdesk agents add</c>,
/// <c>tokens create</c>), the others together once it answers. Finds which node holds a lease from the
/// <c>Leases</c> table (the holder names machine/pid/instance) and measures how long a takeover takes.
/// </summary>
public sealed class DeskCluster : IAsyncDisposable
{
    public const string AdminEmail = "admin@cluster.test";
    public const string Team = "support";

    /// <summary>Lease lifetime and takeover check the nodes run with (seconds).</summary>
    public const double LeaseSeconds = 5, TakeoverCheckSeconds = 0.5;

    private readonly TestDatabase _database;
    private readonly RedisServer _redis;
    private readonly Action<string> _log;
    private readonly List<HelpDeskNode> _nodes = [];

    private DeskCluster(TestDatabase database, RedisServer redis, Action<string> log) => (_database, _redis, _log) = (database, redis, log);

    public IReadOnlyList<HelpDeskNode> Nodes => _nodes;
    public string AdminToken { get; private set; } = "";

    /// <param name="log">Where timings and the nodes' last log lines go (a test's output).</param>
    /// <param name="settings">More configuration for every node (mail servers, ...).</param>
    public static async Task<DeskCluster> StartAsync(Action<string> log, IReadOnlyDictionary<string, string?>? settings = null, int nodes = 3)
    {
        var cluster = new DeskCluster(TestDatabase.Create("hd-cluster"), await RedisServer.StartAsync(), log);
        try
        {
            await cluster.StartCoreAsync(settings ?? new Dictionary<string, string?>(), nodes);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(IReadOnlyDictionary<string, string?> extra, int count)
    {
        var settings = new Dictionary<string, string?>(_database.Settings.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value)))
        {
            ["HelpDesk:SeedDemo"] = "false",
            ["HelpDesk:Redis"] = _redis.ConnectionString,
            ["HelpDesk:Leases:DueQueueSeconds"] = $"{LeaseSeconds}",
            ["HelpDesk:Leases:OutboxSeconds"] = $"{LeaseSeconds}",
            ["HelpDesk:Leases:ImapSeconds"] = $"{LeaseSeconds}",
            ["HelpDesk:Leases:TakeoverCheckSeconds"] = $"{TakeoverCheckSeconds}",
            // The admin issues one token per test agent (50 in the claim race): sign-in abuse limits are not what these tests are about.
            ["HelpDesk:SignIn:PermitsPerMinutePerAccount"] = "1000",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:HelpDesk"] = "Information",
        };
        foreach (var (key, value) in extra) settings[key] = value;

        var clock = Stopwatch.StartNew();
        await CliAsync(settings, "agents", "add", "--email", AdminEmail, "--name", "Admin", "--role", "admin");
        AdminToken = (await CliAsync(settings, "tokens", "create", "--email", AdminEmail)).Trim();

        _log($"database migrated, admin token issued by the CLI: {clock.Elapsed.TotalSeconds:0.0} s");
        _nodes.Add(HelpDeskNode.Start("A", settings));
        await _nodes[0].WaitHealthyAsync();
        for (var i = 1; i < count; i++) _nodes.Add(HelpDeskNode.Start(((char)('A' + i)).ToString(), settings));
        await Task.WhenAll(_nodes.Skip(1).Select(n => n.WaitHealthyAsync()));
        _log($"{count} nodes up: {clock.Elapsed.TotalSeconds:0.0} s");
        (await Admin(0).PostAsJsonAsync("/api/v1/teams", new { name = Team, displayName = "Support" })).EnsureSuccessStatusCode();
    }

    /// <summary>Runs the real <c>helpdesk</c> CLI with <paramref name="settings"/> as environment variables; its stdout.</summary>
    public static async Task<string> CliAsync(IReadOnlyDictionary<string, string?> settings, params string[] args)
    {
        var environment = settings.ToDictionary(kv => kv.Key.Replace(":", "__"), kv => kv.Value);
        var (exit, stdout, stderr) = await DotnetProcess.RunAsync("helpdesk.dll", args, "", environment);
        if (exit != 0) throw new InvalidOperationException($"helpdesk {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }

    /// <summary>An admin API client on node <paramref name="node"/>.</summary>
    public HttpClient Admin(int node) => _nodes[node].Client(AdminToken);

    public async Task<T> DbAsync<T>(Func<HelpDeskDbContext, Task<T>> query)
    {
        await using var db = _database.NewContext();
        return await query(db);
    }

    /// <summary>Creates an agent of <see cref="Team"/> and returns its API token.</summary>
    public async Task<string> AgentTokenAsync(string email, int node = 0)
    {
        using var admin = Admin(node);
        (await admin.PostAsJsonAsync("/api/v1/agents", new { email, name = email.Split('@')[0], role = "agent", teams = new[] { Team } })).EnsureSuccessStatusCode();
        var issued = await admin.PostAsJsonAsync("/api/v1/tokens", new { email, name = "cluster test" });
        issued.EnsureSuccessStatusCode();
        return (await issued.Content.ReadFromJsonAsync<IssuedTokenBody>())!.Token;
    }

    private sealed record IssuedTokenBody(string Token);

    /// <summary>The running node holding <paramref name="lease"/> (waits until one does).</summary>
    public Task<HelpDeskNode> HolderAsync(string lease, int seconds = 30) => Eventually.WaitAsync(async () =>
    {
        var row = await DbAsync(db => db.Leases.AsNoTracking().SingleOrDefaultAsync(l => l.Name == lease));
        return row is null ? null : _nodes.SingleOrDefault(n => n.IsRunning && ProcessOf(row.Holder) == n.ProcessId);
    }, $"a running node to hold the lease {lease}", seconds);

    private static int ProcessOf(string holder) => int.Parse(holder.Split('/')[1]);

    /// <summary>
    /// Kills (-9) the node holding <paramref name="lease"/> now, waits until another node holds it and returns how long
    /// that took (printed). Checks the new holder took the lease only after the dead one's had expired: never two holders.
    /// </summary>
    public async Task<TimeSpan> KillHolderAndAwaitTakeoverAsync(string lease)
    {
        var holder = await HolderAsync(lease);
        var clock = Stopwatch.StartNew();
        holder.Kill();
        var dead = await DbAsync(db => db.Leases.AsNoTracking().SingleAsync(l => l.Name == lease));
        var successor = await HolderAsync(lease);
        var taken = clock.Elapsed;
        var next = await DbAsync(db => db.Leases.AsNoTracking().SingleAsync(l => l.Name == lease));
        if (ProcessOf(dead.Holder) == holder.ProcessId)
            (next.ExpiresAt - Duration.FromSeconds(LeaseSeconds)).Should().BeGreaterThanOrEqualTo(dead.ExpiresAt,
                "a lease is taken over only once its holder's has expired");
        _log($"takeover of {lease}: node {holder.Name} killed, node {successor.Name} took over after {taken.TotalSeconds:0.00} s " +
            $"(lease {LeaseSeconds} s, takeover check {TakeoverCheckSeconds} s)");
        return taken;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            _log($"--- node {node.Name} (pid {node.ProcessId}), last lines:\n{node.LogTail(15)}");
            await node.DisposeAsync();
        }
        await _redis.DisposeAsync();
        await _database.DisposeAsync();
    }
}
