using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Bench;

/// <summary>
/// <c>fault-db</c> (PostgreSQL, a server the bench started): a real <c>helpdesk serve</c> process under load (4 clients
/// creating tickets and reading the queue) while the PostgreSQL server is stopped for <c>--seconds</c> (30) and started
/// again. Counts the API's answers by phase and status (a 500 or a connection error is a failure), then checks that every
/// ticket answered 201 exists and that the host answers normally again by itself.
/// </summary>
internal static class FaultDbBench
{
    private const int Clients = 4;

    public static async Task<int> RunAsync(BenchProvider provider, string[] args)
    {
        if (provider.IsSqlite || !provider.OwnsServer)
        {
            Console.WriteLine("fault-db stops the PostgreSQL server: run it with --provider postgresql and without HELPDESK_BENCH_POSTGRES.");
            return provider.IsSqlite ? 0 : 2;
        }
        var outage = TimeSpan.FromSeconds(Array.IndexOf(args, "--seconds") is var at and >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : 30);
        await using var database = await BenchDatabase.CreateMigratedAsync(provider);
        var settings = new Dictionary<string, string?>(database.Settings) { ["HelpDesk:SeedDemo"] = "false", ["Logging:LogLevel:Default"] = "Warning" };
        await CliAsync(settings, "agents", "add", "--email", "admin@bench.test", "--name", "Admin", "--role", "admin");
        var token = (await CliAsync(settings, "tokens", "create", "--email", "admin@bench.test")).Trim();

        var port = MailgateHttpBench.FreePort();
        var errors = new ConcurrentQueue<string>();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "helpdesk.dll"), "serve", "--urls", $"http://127.0.0.1:{port}" }) info.ArgumentList.Add(a);
        foreach (var (key, value) in settings) info.Environment[key.Replace(":", "__")] = value;
        using var server = Process.Start(info)!;
        server.OutputDataReceived += (_, e) => { if (e.Data is { } l && (l.Contains("fail:") || l.Contains("crit:"))) errors.Enqueue(l); };
        server.ErrorDataReceived += (_, e) => { if (e.Data is { } l) errors.Enqueue(l); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(100) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            await Until(async () => (await http.GetAsync("/health")).IsSuccessStatusCode);
            (await http.PostAsJsonAsync("/api/v1/teams", new { name = "support", displayName = "Support" })).EnsureSuccessStatusCode();

            var phase = "before";
            var answers = new ConcurrentBag<(string Phase, string Status, double Ms)>();
            var created = new ConcurrentBag<int>();
            using var stop = new CancellationTokenSource();
            var load = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var started = phase;
                    var clock = Stopwatch.StartNew();
                    string status;
                    try
                    {
                        using var response = i % 2 == 0
                            ? await http.PostAsJsonAsync("/api/v1/tickets", new { subject = $"c{c} {i}", body = "Smoke.", requester = new { email = $"c{c}@example.test", name = "C" }, team = "support" })
                            : await http.GetAsync("/api/v1/tickets?limit=20");
                        status = ((int)response.StatusCode).ToString();
                        if (response.StatusCode == System.Net.HttpStatusCode.Created)
                            created.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("number").GetInt32());
                        else if (!response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType != "application/problem+json") status += " (not ProblemDetails)";
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { status = e.GetType().Name; }
                    answers.Add((started, status, clock.Elapsed.TotalMilliseconds));
                    if (status != "201" && status != "200") await Task.Delay(200);
                }
            })).ToList();

            await Task.Delay(TimeSpan.FromSeconds(10));
            phase = "during";
            var down = Stopwatch.StartNew();
            provider.ServerDown();
            Console.WriteLine($"PostgreSQL stopped (took {down.Elapsed.TotalSeconds:F1} s), down for {outage.TotalSeconds:F0} s");
            await Task.Delay(outage - down.Elapsed);
            provider.ServerUp();
            Npgsql.NpgsqlConnection.ClearAllPools(); // the bench's own pooled connections died with the server
            phase = "after";
            Console.WriteLine($"PostgreSQL started again after {down.Elapsed.TotalSeconds:F1} s");
            var back = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(15));
            await stop.CancelAsync();
            await Task.WhenAll(load);

            foreach (var p in new[] { "before", "during", "after" })
            {
                var of = answers.Where(a => a.Phase == p).ToList();
                var ms = of.Select(a => a.Ms).OrderBy(x => x).ToList();
                Console.WriteLine($"  {p,-7} {of.Count,5} requests: {string.Join(", ", of.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} x {g.Count()}"))}; " +
                                  $"p50 {MailBench.Percentile(ms, 50):F0} ms, max {ms.LastOrDefault():F0} ms");
            }
            var firstOk = answers.Where(a => a.Phase == "after" && a.Status is "200" or "201").Select(a => a.Ms).DefaultIfEmpty(double.NaN).Min();
            await using var services = database.Services(NodaTime.SystemClock.Instance, _ => { });
            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<HelpDesk.Application.Persistence.HelpDeskDbContext>();
            var numbers = (await db.Tickets.Select(t => t.Number).ToListAsync()).ToHashSet();
            var lost = created.Count(n => !numbers.Contains(n));
            var bad = answers.Count(a => a.Status is not ("200" or "201" or "503"));
            Console.WriteLine($"  tickets answered 201: {created.Count}, in the database: {numbers.Count}, acknowledged but missing: {lost}; answers other than 200/201/503: {bad}");
            Console.WriteLine($"  server log error lines: {errors.Count}{(errors.IsEmpty ? "" : $" (first: {errors.First()})")}");
            Figures.Add(provider, $"fault-db: PostgreSQL down {outage.TotalSeconds:F0} s under {Clients} clients",
                $"{string.Join(", ", answers.GroupBy(a => a.Status).OrderBy(g => g.Key).Select(g => $"{g.Key} x {g.Count()}"))}; lost {lost}");
            return lost == 0 && bad == 0 ? 0 : 1;
        }
        catch (Exception e)
        {
            Console.WriteLine($"fault-db failed: {e}");
            try { provider.ServerUp(); } catch (InvalidOperationException) { }
            Npgsql.NpgsqlConnection.ClearAllPools();
            return 1;
        }
        finally
        {
            if (!server.HasExited) server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private static async Task Until(Func<Task<bool>> condition)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(90))
        {
            try { if (await condition()) return; } catch (HttpRequestException) { }
            await Task.Delay(200);
        }
        throw new TimeoutException("the server did not answer /health");
    }

    private static async Task<string> CliAsync(IReadOnlyDictionary<string, string?> settings, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "helpdesk.dll"));
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (key, value) in settings) info.Environment[key.Replace(":", "__")] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await stdout : throw new InvalidOperationException($"helpdesk {string.Join(' ', args)}: {stderr}");
    }
}
