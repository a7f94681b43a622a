using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using HelpDesk.Application.Agents.CreateAgent;
using HelpDesk.Application.Agents.CreateApiToken;
using HelpDesk.Web.Hosting;
using Mediator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Bench;

/// <summary>
/// <c>sign-in-burst</c> (issue 15): one agent's ordinary authenticated request (<c>GET /api/v1/tickets?limit=20</c>, bearer
/// token) timed back to back, first alone, then while 16 clients post bad sign-ins in parallel as fast as they are answered
/// (each with its own random address, so only the per-address limit and the lockout can stop them). Three phases on a real
/// Kestrel port: quiet; the burst under the default limits; the burst with the rate limits lifted (every attempt reaches
/// PBKDF2; only the shared concurrency limit on password checks stands between the burst and the other request).
/// </summary>
internal static class SignInBurstBench
{
    private const int Attackers = 16;
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(BenchProvider provider, string[] args)
    {
        await using var database = await BenchDatabase.CreateAsync(provider);
        foreach (var (name, lifted) in new[] { ("default limits", false), ("rate limits lifted", true) })
        {
            var port = MailgateHttpBench.FreePort();
            var settings = database.Settings.Select(s => $"--{s.Key}={s.Value}").Concat(
            [
                $"--urls=http://127.0.0.1:{port}", "--HelpDesk:SeedDemo=false", "--Logging:LogLevel:Default=Warning",
                .. lifted ? new[] { "--HelpDesk:SignIn:PermitsPerMinutePerAddress=1000000", "--HelpDesk:SignIn:PermitsPerMinutePerAccount=1000000",
                    "--HelpDesk:SignIn:FreeFailures=1000000" } : [],
            ]).ToArray();
            await using var app = HelpDeskWebApp.Build(settings);
            await app.StartAsync();
            var token = await TokenAsync(app, lifted);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            for (var i = 0; i < 50; i++) (await http.GetAsync("/api/v1/tickets?limit=20")).EnsureSuccessStatusCode();

            if (!lifted) Print(provider, "quiet", await TimeAsync(http), null);
            using var stop = new CancellationTokenSource();
            var attackers = Enumerable.Range(0, Attackers).Select(_ => AttackAsync(port, stop.Token)).ToList();
            var during = await TimeAsync(http);
            await stop.CancelAsync();
            var answers = (await Task.WhenAll(attackers)).SelectMany(a => a).GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
            Print(provider, $"16 bad sign-ins, {name}", during, answers);
            await app.StopAsync();
        }
        return 0;
    }

    private static async Task<string> TokenAsync(WebApplication app, bool second)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var m = scope.ServiceProvider.GetRequiredService<IMediator>();
        var email = second ? "normal2@bench.test" : "normal@bench.test";
        await m.Send(new CreateAgent(email, "Normal", "agent", ["support"], "correct-horse-battery"));
        return (await m.Send(new CreateApiToken(email, "bench"))).Token;
    }

    private static async Task<List<double>> TimeAsync(HttpClient http)
    {
        var latencies = new List<double>();
        var phase = Stopwatch.StartNew();
        while (phase.Elapsed < Phase)
        {
            var t = Stopwatch.GetTimestamp();
            (await http.GetAsync("/api/v1/tickets?limit=20")).EnsureSuccessStatusCode();
            latencies.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        latencies.Sort();
        return latencies;
    }

    /// <summary>One attacker: the login page once (antiforgery cookie and field), then bad passwords until stopped.</summary>
    private static async Task<List<HttpStatusCode>> AttackAsync(int port, CancellationToken stop)
    {
        var answers = new List<HttpStatusCode>();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true }) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var page = await http.GetStringAsync("/login", stop);
        var field = WebUtility.HtmlDecode(Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = field, ["email"] = $"{Guid.NewGuid():N}@bench.test", ["password"] = "wrong-password!",
                }), stop);
                answers.Add(response.StatusCode);
            }
        }
        catch (OperationCanceledException) { }
        return answers;
    }

    private static void Print(BenchProvider provider, string phase, List<double> latencies, Dictionary<HttpStatusCode, int>? answers)
    {
        var p50 = MailBench.Percentile(latencies, 50);
        var p99 = MailBench.Percentile(latencies, 99);
        var attacks = answers is null ? "" : $"; sign-ins answered: {string.Join(", ", answers.OrderBy(a => a.Key).Select(a => $"{(int)a.Key} x {a.Value}"))}";
        Console.WriteLine($"  {phase}: {latencies.Count} requests, p50 {p50:F1} ms, p99 {p99:F1} ms, max {latencies[^1]:F1} ms{attacks}; " +
                          $"load average {File.ReadAllText("/proc/loadavg").Trim()}");
        Figures.Add(provider, $"sign-in-burst p50/p99 ms, {phase}", $"{p50:F1} / {p99:F1}");
    }
}
