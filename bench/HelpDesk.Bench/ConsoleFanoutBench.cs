using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Application.Agents.CreateAgent;
using HelpDesk.Application.Agents.CreateApiToken;
using HelpDesk.Application.Teams.CreateTeam;
using HelpDesk.Application.Tickets.CreateTicket;
using HelpDesk.Web.Hosting;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Bench;

/// <summary>
/// One ticket event fanned out to N console connections (.NET SignalR clients over loopback WebSockets), N = 100 and 500.
/// The server runs in a child process (this program in server mode) so its memory per connection is measured apart
/// from the clients'. Latency: from the instant the server appended the event (its <c>at</c>) to a client receiving it,
/// on one machine clock. A bounded run: 20 events per N, loopback only, stops by itself.
/// </summary>
internal static class ConsoleFanoutBench
{
    private const string ServerModeVariable = "HELPDESK_BENCH_FANOUT_SERVER";
    private const int Rounds = 20, Warmup = 3;

    public static int Run() => Environment.GetEnvironmentVariable(ServerModeVariable) == "1"
        ? ServeAsync().GetAwaiter().GetResult()
        : DriveAsync().GetAwaiter().GetResult();

    // ---------- server (child process) ----------
    private static async Task<int> ServeAsync()
    {
        var db = Path.Combine(Path.GetTempPath(), $"helpdesk-bench-{Guid.NewGuid():N}.db");
        var app = HelpDeskWebApp.Build(["--urls", "http://127.0.0.1:0", "--ConnectionStrings:HelpDesk", $"Data Source={db}",
            "--HelpDesk:SeedDemo", "false", "--Logging:LogLevel:Default", "Warning", "--Logging:LogLevel:Microsoft.AspNetCore", "Warning"]);
        await app.StartAsync();
        string token;
        int number;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var m = scope.ServiceProvider.GetRequiredService<IMediator>();
            await m.Send(new CreateTeam("bench", "Bench"));
            await m.Send(new CreateAgent("bench@desk.test", "Bench", "agent", ["bench"], "correct-horse-battery"));
            token = (await m.Send(new CreateApiToken("bench@desk.test", "bench"))).Token;
            number = (await m.Send(new CreateTicket("Fan-out", "One event, many consoles.", new RequesterInput("c@example.test", "C"), "normal", "bench"))).Number;
        }
        Console.WriteLine($"READY {app.Urls.First()} {token} {number}");
        while (Console.ReadLine() is { } line && line != "quit")
        {
            if (line != "mem") continue;
            GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
            using var self = Process.GetCurrentProcess();
            Console.WriteLine($"MEM {GC.GetTotalMemory(true)} {self.WorkingSet64}");
        }
        await app.StopAsync();
        await app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { db, db + "-wal", db + "-shm" }) try { File.Delete(f); } catch (IOException) { }
        return 0;
    }

    // ---------- driver (this process: the clients) ----------
    private static async Task<int> DriveAsync()
    {
        ThreadPool.SetMinThreads(256, 256);
        var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") start.ArgumentList.Add(typeof(ConsoleFanoutBench).Assembly.Location);
        start.ArgumentList.Add("console-fanout");
        start.Environment[ServerModeVariable] = "1";
        using var server = Process.Start(start)!;
        try
        {
            var ready = (await ReadLineStartingAsync(server, "READY ")).Split(' ');
            var (url, token, number) = (new Uri(ready[1]), ready[2], int.Parse(ready[3]));
            using var http = new HttpClient { BaseAddress = url };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            Console.WriteLine("console-fanout: one ticket event -> N console connections (loopback WebSockets, server in its own process)");
            Console.WriteLine($"{"N",5} {"events",7} {"p50 ms",8} {"p99 ms",8} {"max ms",8} {"heap/conn",10} {"rss/conn",10}");
            var failed = false;
            foreach (var n in new[] { 100, 500 })
            {
                var (heap0, rss0) = await MemAsync(server);
                var latencies = new ConcurrentBag<(long Seq, double Ms)>();
                var received = new ConcurrentDictionary<long, int>();
                var hubs = new List<HubConnection>();
                for (var batch = 0; batch < n; batch += 50)
                {
                    var connecting = Enumerable.Range(batch, Math.Min(50, n - batch)).Select(async _ =>
                    {
                        var hub = new HubConnectionBuilder().WithUrl(new Uri(url, "/hubs/console"), o =>
                        {
                            o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                            o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                            o.SkipNegotiation = true;
                        }).Build();
                        hub.On<JsonElement>("Event", e =>
                        {
                            var now = DateTimeOffset.UtcNow;
                            var seq = e.GetProperty("seq").GetInt64();
                            latencies.Add((seq, (now - DateTimeOffset.Parse(e.GetProperty("at").GetString()!)).TotalMilliseconds));
                            received.AddOrUpdate(seq, 1, (_, c) => c + 1);
                        });
                        await hub.StartAsync();
                        lock (hubs) hubs.Add(hub);
                    });
                    await Task.WhenAll(connecting);
                }
                var (heap1, rss1) = await MemAsync(server);

                var head = (await http.GetFromJsonAsync<JsonElement>("/api/v1/console/events?stream=team:bench&after=0&limit=1")).GetProperty("head").GetInt64();
                for (var round = 1; round <= Rounds + Warmup; round++)
                {
                    var response = await http.PostAsJsonAsync($"/api/v1/tickets/{number}/tags", new { add = new[] { $"n{n}-r{round}" } });
                    response.EnsureSuccessStatusCode();
                    var deadline = Stopwatch.StartNew();
                    while (received.GetValueOrDefault(head + round) < n && deadline.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(5);
                    if (received.GetValueOrDefault(head + round) < n) { Console.WriteLine($"  event {round}: only {received.GetValueOrDefault(head + round)} of {n} received"); failed = true; }
                }
                var sorted = latencies.Where(l => l.Seq > head + Warmup).Select(l => l.Ms).Order().ToArray();
                Console.WriteLine($"{n,5} {Rounds,7} {Pct(sorted, 50),8:F1} {Pct(sorted, 99),8:F1} {sorted.LastOrDefault(),8:F1} {Kb(heap1 - heap0, n),10} {Kb(rss1 - rss0, n),10}");
                if (n == 500 && Pct(sorted, 99) >= 250) Console.WriteLine("  p99 at 500 is above the 250 ms target");
                await Task.WhenAll(hubs.Select(h => h.DisposeAsync().AsTask()));
            }
            await server.StandardInput.WriteLineAsync("quit");
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return failed ? 1 : 0;
        }
        finally
        {
            if (!server.HasExited) server.Kill();
        }
    }

    private static double Pct(double[] sorted, int p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100.0 * sorted.Length) - 1)];
    private static string Kb(long bytes, int n) => $"{bytes / 1024.0 / n:F1} KB";

    private static async Task<(long Heap, long Rss)> MemAsync(Process server)
    {
        await server.StandardInput.WriteLineAsync("mem");
        var parts = (await ReadLineStartingAsync(server, "MEM ")).Split(' ');
        return (long.Parse(parts[1]), long.Parse(parts[2]));
    }

    private static async Task<string> ReadLineStartingAsync(Process p, string prefix)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await p.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            if (line.StartsWith(prefix)) return line;
        throw new InvalidOperationException($"The server process ended before printing {prefix.Trim()}.");
    }
}
