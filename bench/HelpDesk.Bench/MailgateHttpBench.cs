using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HelpDesk.Application.Configuration.PutSlaPolicy;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Bench;

/// <summary>
/// <c>mailgate-http</c>: <c>POST /mailgate</c> against a real <c>helpdesk serve</c> process with its background services
/// running (the due-queue firing SLA alerts of short targets, the outbox sending acknowledgements to an SMTP sink, the
/// console's event appends and sweeps, lease renewals), with 1, 4 and 16 concurrent clients, on the issue-17 corpus
/// (<see cref="MailBench.GenerateMix"/>). A client sends a reply only after the message it answers was acknowledged, as
/// a customer would. On SQLite two servers run side by side, before (<c>HelpDesk:Database:Sqlite:WriteGate=false</c>)
/// and after the write gate, each on its own database, in alternating blocks of 50 messages, so both see the same load.
/// Prints msg/s, p50/p99/max, the share over 50 and 100 ms, server CPU per message, threading and lost/doubled counts.
/// <c>--probe</c> turns the busy probe on in the servers and prints who waited for whom (costs a stack walk a write).
/// </summary>
internal static class MailgateHttpBench
{
    private const int Block = 50;
    private static readonly int[] Concurrency = [1, 4, 16];

    public static async Task<int> RunAsync(BenchProvider provider, string[] args)
    {
        var count = OptionValue(args, "--count") ?? 500;
        var probe = args.Contains("--probe");
        var variants = provider.IsSqlite ? new[] { ("before (no write gate)", false), ("after (write gate)", true) } : [("current", true)];
        Console.WriteLine($"corpus: {count} messages a level (per 500: 310 new tickets, 125 of them HTML with a PDF; 149 replies; 41 auto-replies); " +
                          $"blocks of {Block} alternating between {variants.Length} server(s); probe {(probe ? "on" : "off")}");
        await using var smtp = SmtpSink.Start();
        var servers = new List<Server>();
        try
        {
            foreach (var (name, gate) in variants) servers.Add(await Server.StartAsync(provider, name, gate, probe, smtp.Port));
            foreach (var server in servers) await server.WarmUpAsync();
            foreach (var clients in Concurrency)
            {
                var corpus = MailBench.GenerateMix(count, idPrefix: $"c{clients}x");
                var runs = servers.Select(s => new Run(s, corpus, clients)).ToList();
                foreach (var run in runs) await run.BeginAsync();
                for (var start = 0; start < count; start += Block)
                    foreach (var run in runs)
                        await run.SendBlockAsync(start, Math.Min(Block, count - start));
                foreach (var run in runs) await run.EndAsync();
                foreach (var run in runs) run.Print(provider);
            }
            if (probe)
                foreach (var server in servers) server.PrintStalls();
        }
        finally
        {
            foreach (var server in servers) await server.DisposeAsync();
        }
        return 0;
    }

    /// <summary>A loopback port nobody listens on now.</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static int? OptionValue(string[] args, string name) =>
        Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var value) ? value : null;

    /// <summary>One level (a client count) against one server: what each message got back and how long it took.</summary>
    private sealed class Run(Server server, List<MailBench.CorpusMail> corpus, int clients)
    {
        private readonly double[] _latency = new double[corpus.Count];
        private readonly string?[] _outcome = new string?[corpus.Count];
        private readonly int?[] _ticket = new int?[corpus.Count];
        private readonly TaskCompletionSource[] _answered = corpus.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        private TimeSpan _elapsed;
        private double _cpuBefore, _cpu;
        private int _ticketsBefore, _newTickets, _stored;

        public async Task BeginAsync()
        {
            _cpuBefore = server.CpuMilliseconds();
            _ticketsBefore = await server.WithDbAsync(db => db.Tickets.CountAsync());
        }

        public async Task SendBlockAsync(int start, int length)
        {
            var next = start;
            var watch = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
            {
                while (Interlocked.Increment(ref next) - 1 is var i && i < start + length)
                {
                    if (corpus[i].Parent >= 0) await _answered[corpus[i].Parent].Task; // a customer answers what reached them
                    var sent = Stopwatch.GetTimestamp();
                    using var response = await server.Http.PostAsync("/mailgate", new ByteArrayContent(corpus[i].Raw));
                    var body = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : default;
                    _latency[i] = Stopwatch.GetElapsedTime(sent).TotalMilliseconds;
                    if (response.IsSuccessStatusCode)
                    {
                        _outcome[i] = body.GetProperty("outcome").GetString();
                        _ticket[i] = body.GetProperty("ticket").ValueKind == JsonValueKind.Number ? body.GetProperty("ticket").GetInt32() : null;
                    }
                    _answered[i].SetResult();
                }
            }));
            _elapsed += watch.Elapsed;
        }

        public async Task EndAsync()
        {
            _cpu = server.CpuMilliseconds() - _cpuBefore;
            var prefix = $"c{clients}x";
            _newTickets = await server.WithDbAsync(db => db.Tickets.CountAsync()) - _ticketsBefore;
            _stored = await server.WithDbAsync(db => db.Set<InboundMail>().CountAsync(m => m.MessageId.StartsWith(prefix) && m.State == InboundState.Processed));
        }

        public void Print(BenchProvider provider)
        {
            var sorted = _latency.Order().ToList();
            var rate = corpus.Count / _elapsed.TotalSeconds;
            var answers = corpus.Select((m, i) => (m, i)).Where(x => x.m.Parent >= 0).ToList();
            var threaded = answers.Count(x => _ticket[x.i] is { } t && t == _ticket[x.m.Parent]);
            var created = _outcome.Count(o => o == "created");
            var lost = corpus.Count - _stored;
            var doubled = _newTickets - created;
            var over50 = sorted.Count(l => l > 50) * 100.0 / sorted.Count;
            var over100 = sorted.Count(l => l > 100) * 100.0 / sorted.Count;
            Console.WriteLine($"{server.Name}, {clients} client(s): {rate:F1} msg/s, p50 {MailBench.Percentile(sorted, 50):F1} ms, p99 {MailBench.Percentile(sorted, 99):F1} ms, " +
                              $"max {sorted[^1]:F0} ms, over 50 ms {over50:F1} %, over 100 ms {over100:F1} %, server CPU {_cpu / corpus.Count:F2} ms/msg, " +
                              $"threading {threaded * 100.0 / answers.Count:F1} % ({threaded}/{answers.Count}), lost {lost}, doubled {doubled}");
            Console.WriteLine($"  outcomes: {string.Join(", ", _outcome.GroupBy(o => o ?? "(HTTP error)").OrderBy(g => g.Key).Select(g => $"{g.Key}={g.Count()}"))}");
            Figures.Add(provider, $"mailgate-http {clients} client(s), {server.Name}: msg/s, p99, >100 ms",
                $"{rate:F0} msg/s, p99 {MailBench.Percentile(sorted, 99):F0} ms, {over100:F1} %");
        }
    }

    /// <summary>A <c>helpdesk serve</c> process on a database of its own, configured as a desk in use.</summary>
    private sealed class Server : IAsyncDisposable
    {
        private static readonly Regex Stall = new(@"SQLite busy: (?<waiter>.+) waited (?<ms>\d+) ms \((?<busy>\d+) x SQLITE_BUSY\) for the write lock held by (?<holder>.+)$");
        private readonly List<(string Waiter, string Holder, double Ms)> _stalls = [];
        private Process _process = null!;
        private BenchDatabase _database = null!;
        private ServiceProvider _services = null!;

        public string Name { get; private init; } = "";
        public HttpClient Http { get; private set; } = null!;

        public static async Task<Server> StartAsync(BenchProvider provider, string name, bool gate, bool probe, int smtpPort)
        {
            var server = new Server { Name = name };
            server._database = await BenchDatabase.CreateMigratedAsync(provider);
            server._services = server._database.Services(SystemClock.Instance, _ => { });
            foreach (var (key, value) in server._database.Settings) Environment.SetEnvironmentVariable(key.Replace(":", "__"), value);
            // Short targets on a 24/7 calendar: the due-queue fires warnings and breaches while the clients send.
            await MailBench.ConfigureDeskAsync(new TargetsBody("PT30S", "PT1M", "PT5M"), twentyFourSeven: true);
            foreach (var key in server._database.Settings.Keys) Environment.SetEnvironmentVariable(key.Replace(":", "__"), null);

            var port = FreePort();
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "helpdesk.dll"), "serve", "--urls", $"http://127.0.0.1:{port}" }) info.ArgumentList.Add(a);
            foreach (var (key, value) in server._database.Settings) info.Environment[key.Replace(":", "__")] = value;
            info.Environment["HelpDesk__SeedDemo"] = "false";
            info.Environment["Logging__LogLevel__Default"] = "Warning";
            info.Environment["HelpDesk__Mail__SystemAddress"] = "support@helpdesk.test";
            info.Environment["HelpDesk__Mail__AutoAnswersPerHour"] = "1000000";
            info.Environment["HelpDesk__Mail__Smtp__Host"] = "127.0.0.1";
            info.Environment["HelpDesk__Mail__Smtp__Port"] = smtpPort.ToString();
            info.Environment["HelpDesk__Mail__Smtp__UseTls"] = "false";
            info.Environment["HelpDesk__Database__Sqlite__WriteGate"] = gate ? "true" : "false";
            info.Environment["HelpDesk__Database__Sqlite__BusyProbe"] = probe ? "true" : "false";
            server._process = Process.Start(info)!;
            server._process.OutputDataReceived += (_, e) => server.Read(e.Data);
            server._process.ErrorDataReceived += (_, e) => server.Read(e.Data);
            server._process.BeginOutputReadLine();
            server._process.BeginErrorReadLine();
            server.Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
            var waited = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    if ((await server.Http.GetAsync("/health")).IsSuccessStatusCode) break;
                }
                catch (HttpRequestException) { }
                if (server._process.HasExited || waited.Elapsed > TimeSpan.FromSeconds(60)) throw new InvalidOperationException($"{name}: the server did not start");
                await Task.Delay(100);
            }
            return server;
        }

        private void Read(string? line)
        {
            if (line is null) return;
            if (Stall.Match(line.Trim()) is { Success: true } m)
                lock (_stalls) _stalls.Add((m.Groups["waiter"].Value, m.Groups["holder"].Value, double.Parse(m.Groups["ms"].Value)));
            else if (line.Contains("fail:") || line.Contains("crit:")) Console.WriteLine($"  [{Name}] {line}");
        }

        /// <summary>100 messages first, not counted: JIT, EF's query compilation and the SLA configuration cache.</summary>
        public async Task WarmUpAsync()
        {
            foreach (var mail in MailBench.GenerateMix(100, idPrefix: "w"))
                (await Http.PostAsync("/mailgate", new ByteArrayContent(mail.Raw))).EnsureSuccessStatusCode();
        }

        /// <summary>The server process's CPU time (user + system), from /proc.</summary>
        public double CpuMilliseconds()
        {
            var stat = File.ReadAllText($"/proc/{_process.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return (long.Parse(fields[11]) + long.Parse(fields[12])) * 10.0; // utime, stime in ticks of 10 ms
        }

        public async Task<T> WithDbAsync<T>(Func<HelpDeskDbContext, Task<T>> query)
        {
            await using var scope = _services.CreateAsyncScope();
            return await query(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>());
        }

        public void PrintStalls()
        {
            lock (_stalls)
            {
                Console.WriteLine($"{Name}: {_stalls.Count} writes met SQLITE_BUSY (busy probe), by waiter and holder:");
                foreach (var g in _stalls.GroupBy(s => (s.Waiter, s.Holder)).OrderByDescending(g => g.Count()))
                    Console.WriteLine($"  {g.Count(),5} x, {g.Average(s => s.Ms),6:F0} ms on average: {g.Key.Waiter}  <-  held by {g.Key.Holder}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            Http?.Dispose();
            if (_process is { HasExited: false })
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            if (_services is not null) await _services.DisposeAsync();
            if (_database is not null) await _database.DisposeAsync();
        }
    }

    /// <summary>An SMTP server on loopback that accepts every message and keeps none (the outbox's counterpart).</summary>
    private sealed class SmtpSink : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private Task _accepting = Task.CompletedTask;

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static SmtpSink Start()
        {
            var sink = new SmtpSink();
            sink._listener.Start();
            sink._accepting = sink.AcceptAsync();
            return sink;
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true) _ = ServeAsync(await _listener.AcceptTcpClientAsync(_stop.Token));
            }
            catch (OperationCanceledException) { }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using var _ = client;
            try
            {
                var stream = client.GetStream();
                using var reader = new StreamReader(stream, Encoding.ASCII);
                await using var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 sink ESMTP");
                while (await reader.ReadLineAsync(_stop.Token) is { } line)
                {
                    var verb = line.Split(' ')[0].ToUpperInvariant();
                    if (verb == "DATA")
                    {
                        await writer.WriteLineAsync("354 go ahead");
                        while (await reader.ReadLineAsync(_stop.Token) is { } data && data != ".") { }
                        await writer.WriteLineAsync("250 queued");
                    }
                    else if (verb is "EHLO" or "HELO") await writer.WriteLineAsync("250 sink");
                    else if (verb == "QUIT")
                    {
                        await writer.WriteLineAsync("221 bye");
                        return;
                    }
                    else await writer.WriteLineAsync("250 ok");
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException) { }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
        }
    }
}
