using System.Diagnostics;
using System.Text;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Configuration.PutCalendar;
using HelpDesk.Application.Configuration.PutSlaPolicy;
using HelpDesk.Application.Teams.CreateTeam;
using HelpDesk.Mail;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using HelpDesk.Web.Cli;
using HelpDesk.Web.Hosting;
using MailKit.Net.Imap;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace HelpDesk.Bench;

/// <summary>
/// Mail benchmarks. <c>mail-ingest</c>: full ingestion (the mailgate's code path, one unit of work per message, on
/// the provider's database) versus MimeKit parse-only, on one generated corpus of 10,000 messages. <c>mail-latency</c>: IMAP APPEND to
/// committed ticket through a running host with IDLE against a real Dovecot. <c>mailgate-process</c>: wall time of
/// one <c>helpdesk mailgate</c> process per message.
/// </summary>
public static class MailBench
{
    public static int Latency() => LatencyAsync().GetAwaiter().GetResult();
    public static int MailgateProcess() => MailgateProcessAsync().GetAwaiter().GetResult();

    internal static async Task<int> IngestAsync(BenchProvider provider)
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("MAIL_BENCH_COUNT"), out var n) ? n : 10_000;
        var corpus = GenerateCorpus(count);
        Console.WriteLine($"corpus: {corpus.Count} messages, {corpus.Sum(m => m.LongLength) / 1024 / 1024.0:F1} MiB");

        // Parse-only: MimeKit reads each message and its bodies.
        var sw = Stopwatch.StartNew();
        foreach (var raw in corpus)
        {
            var m = MimeMessage.Load(new MemoryStream(raw));
            _ = m.TextBody ?? m.HtmlBody;
        }
        var parseRate = corpus.Count / sw.Elapsed.TotalSeconds;

        await using var database = await BenchDatabase.CreateMigratedAsync(provider);
        foreach (var (key, value) in database.Settings) Environment.SetEnvironmentVariable(key.Replace(":", "__"), value);
        Environment.SetEnvironmentVariable("HelpDesk__Mail__SystemAddress", "support@helpdesk.test");
        Environment.SetEnvironmentVariable("HelpDesk__Mail__AutoAnswersPerHour", "1000000");
        await ConfigureDeskAsync(new TargetsBody("PT4H", "PT8H", "PT24H"), twentyFourSeven: false);

        await using var services = CliServices.Build((s, c) => s.AddHelpDeskMailIngestion(c));
        // Warm-up (not counted): a server ingests for months, so the first messages' JIT and EF query compilation are
        // not its throughput. Parsing needs no warm-up worth the name (MimeKit's few methods are compiled at once).
        var warmUp = GenerateCorpus(Math.Min(1000, count), idPrefix: "w");
        await IngestAllAsync(services, warmUp, new Dictionary<string, int>());
        var outcomes = new Dictionary<string, int>();
        sw.Restart();
        await IngestAllAsync(services, corpus, outcomes);
        var ingestRate = corpus.Count / sw.Elapsed.TotalSeconds;
        Console.WriteLine($"warm-up: {warmUp.Count} other messages ingested first, not counted; an SLA policy on a business calendar applies to every ticket");
        Console.WriteLine($"outcomes: {string.Join(", ", outcomes.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}"))}");
        Console.WriteLine($"parse-only (MimeKit):      {parseRate,10:F0} messages/s");
        Console.WriteLine($"full ingestion ({provider.Name}): {ingestRate,10:F0} messages/s  ({1000 / ingestRate:F2} ms/message, batches of {MailIngestor.MaxBatch})");
        Console.WriteLine($"ratio full/parse-only:     {ingestRate / parseRate * 100,10:F1} %  (target >= 30 %)");
        Figures.Add(provider, "mail-ingest, messages/s (full ingestion)", $"{ingestRate:F0} ({ingestRate / parseRate * 100:F1} % of parse-only)");
        foreach (var key in database.Settings.Keys) Environment.SetEnvironmentVariable(key.Replace(":", "__"), null);
        return 0;
    }

    /// <summary>
    /// Configures the desk on the database the environment names (as a desk in use is: a team, a business calendar and
    /// an SLA policy with <paramref name="targets"/> for every priority, so every new ticket starts its clocks).
    /// </summary>
    internal static async Task ConfigureDeskAsync(TargetsBody targets, bool twentyFourSeven)
    {
        await using var setup = await CliServices.BuildMigratedAsync();
        await using var scope = setup.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        await mediator.Send(new CreateTeam("support", "Support"));
        var week = new[] { "monday", "tuesday", "wednesday", "thursday", "friday" }.ToDictionary(d => d, _ => new List<List<string>> { new() { "09:00", "17:00" } });
        await mediator.Send(new PutCalendar("office", twentyFourSeven ? new CalendarBody("Europe/Berlin", null, [], TwentyFourSeven: true) : new CalendarBody("Europe/Berlin", week, [])));
        await mediator.Send(new PutSlaPolicy("standard", new PolicyBody(10, "office", null,
            new Dictionary<string, TargetsBody> { ["urgent"] = targets, ["high"] = targets, ["normal"] = targets, ["low"] = targets }, null, null)));
    }

    // As an IMAP fetch or concurrent mailgate hand-offs deliver them: batches of up to MailIngestor.MaxBatch messages.
    private static async Task IngestAllAsync(IServiceProvider services, List<byte[]> corpus, Dictionary<string, int> outcomes)
    {
        foreach (var batch in corpus.Chunk(MailIngestor.MaxBatch))
        {
            await using var scope = services.CreateAsyncScope();
            var ingestor = scope.ServiceProvider.GetRequiredService<MailIngestor>();
            foreach (var outcome in await ingestor.IngestBatchAsync(MailIngestor.MailgateMailbox, batch.Select(raw => new IncomingMail(raw, "bench")).ToList(), CancellationToken.None))
                outcomes[outcome.Outcome] = outcomes.GetValueOrDefault(outcome.Outcome) + 1;
        }
    }

    /// <summary>What a corpus message is, and for a reply or an auto-reply, the index of the message it answers.</summary>
    public enum MailKind { New, NewHtml, Reply, AutoReply }

    /// <summary>One corpus message: its bytes, its kind and the earlier message it answers (-1 for a new ticket).</summary>
    public sealed record CorpusMail(byte[] Raw, MailKind Kind, int Parent);

    /// <summary>The raw messages of <see cref="GenerateMix"/>.</summary>
    public static List<byte[]> GenerateCorpus(int count, string idPrefix = "m") => GenerateMix(count, idPrefix).Select(m => m.Raw).ToList();

    /// <summary>
    /// The mix of issue 17, measured against the PHP desk: per 500 messages 310 new tickets (125 of them, a quarter of
    /// all, HTML with a small PDF attached), 149 replies threaded by In-Reply-To and 41 out-of-office auto-replies, in a
    /// fixed shuffled order (the first message of each 500 opens a ticket). A reply or auto-reply answers an earlier new
    /// ticket or reply (<see cref="CorpusMail.Parent"/>), so a sender that waits for the parent's answer threads it.
    /// </summary>
    public static List<CorpusMail> GenerateMix(int count, string idPrefix = "m")
    {
        var random = new Random(42);
        var pattern = Enumerable.Repeat(MailKind.New, 185).Concat(Enumerable.Repeat(MailKind.NewHtml, 125))
            .Concat(Enumerable.Repeat(MailKind.Reply, 149)).Concat(Enumerable.Repeat(MailKind.AutoReply, 41)).ToArray();
        random.Shuffle(pattern);
        var first = Array.IndexOf(pattern, MailKind.New);
        (pattern[0], pattern[first]) = (pattern[first], pattern[0]);
        var result = new List<CorpusMail>(count);
        var ids = new List<string>(count);
        var senders = new List<string>(count);
        var answerable = new List<int>();
        var pdf = Convert.ToBase64String(Enumerable.Range(0, 24_000).Select(i => (byte)(i * 7)).ToArray(), Base64FormattingOptions.InsertLineBreaks);
        for (var i = 0; i < count; i++)
        {
            var id = $"{idPrefix}{i}.{random.Next():x}@customer{i % 97}.example";
            var kind = pattern[i % pattern.Length];
            var parent = kind is MailKind.Reply or MailKind.AutoReply ? answerable[random.Next(answerable.Count)] : -1;
            var from = parent >= 0 ? senders[parent] : $"Customer {i % 500} <customer{i % 500}@example{i % 13}.test>";
            var raw = kind switch
            {
                MailKind.New => Plain(from, id, $"Order {i}: the parcel did not arrive", $"Hello,\n\nmy order {i} has not arrived yet. Could you check?\n\nThanks,\nCustomer {i % 500}\n", null),
                MailKind.Reply => Plain(from, id, "Re: Order: the parcel did not arrive", $"Still waiting.\n\nOn Mon, 2 Mar 2026 at 09:00, Support wrote:\n> We are checking.\n> Kind regards\n", ids[parent]),
                MailKind.AutoReply => Plain(from, id, "Out of office", "I am out of the office until Monday.\n", ids[parent], "Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n"),
                _ => $"From: {from}\r\nTo: support@helpdesk.test\r\nSubject: Invoice {i} looks wrong\r\nMessage-ID: <{id}>\r\nDate: Mon, 02 Mar 2026 09:00:00 +0100\r\nMIME-Version: 1.0\r\n" +
                     "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: multipart/alternative; boundary=\"a\"\r\n\r\n" +
                     $"--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nInvoice {i} charges twice.\r\n" +
                     $"--a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html><body><p style=\"color:#333\">Invoice <b>{i}</b> charges <i>twice</i>.</p><img src=\"https://tracker.example/p.gif\"><table><tr><td>Line</td><td>9.99</td></tr></table></body></html>\r\n--a--\r\n" +
                     $"--b\r\nContent-Type: application/pdf; name=\"invoice-{i}.pdf\"\r\nContent-Disposition: attachment; filename=\"invoice-{i}.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{pdf}\r\n--b--\r\n",
            };
            ids.Add(id);
            senders.Add(from);
            if (kind != MailKind.AutoReply) answerable.Add(i);
            result.Add(new CorpusMail(Encoding.UTF8.GetBytes(raw), kind, parent));
        }
        return result;

        static string Plain(string from, string id, string subject, string body, string? inReplyTo, string extra = "") =>
            $"From: {from}\r\nTo: support@helpdesk.test\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\nDate: Mon, 02 Mar 2026 09:00:00 +0100\r\n" +
            (inReplyTo is null ? "" : $"In-Reply-To: <{inReplyTo}>\r\nReferences: <{inReplyTo}>\r\n") + extra +
            $"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body.ReplaceLineEndings("\r\n")}";
    }

    private static async Task<int> LatencyAsync()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("MAIL_BENCH_COUNT"), out var n) ? n : 100;
        var servers = new MailServers();
        await servers.StartDovecotAsync();
        var db = Path.Combine(Path.GetTempPath(), $"hd-latency-{Guid.NewGuid():N}.db");
        try
        {
            var app = HelpDeskWebApp.Build([
                "--urls=http://127.0.0.1:0", $"--ConnectionStrings:HelpDesk=Data Source={db}", "--HelpDesk:SeedDemo=false", "--Logging:LogLevel:Default=Warning",
                "--HelpDesk:Mail:SystemAddress=support@helpdesk.test", "--HelpDesk:Mail:AutoAnswersPerHour=1000000",
                "--HelpDesk:Mail:Imap:0:Name=support", "--HelpDesk:Mail:Imap:0:Host=127.0.0.1", $"--HelpDesk:Mail:Imap:0:Port={servers.ImapPort}",
                "--HelpDesk:Mail:Imap:0:UseTls=false", "--HelpDesk:Mail:Imap:0:Username=support", $"--HelpDesk:Mail:Imap:0:Password={MailServers.Password}",
            ]);
            await app.StartAsync();
            await using (var scope = app.Services.CreateAsyncScope())
                await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new CreateTeam("support", "Support"));
            using var client = new ImapClient();
            await client.ConnectAsync("127.0.0.1", servers.ImapPort, MailKit.Security.SecureSocketOptions.None);
            await client.AuthenticateAsync("customer", MailServers.Password);
            using var imap = new ImapClient();
            await imap.ConnectAsync("127.0.0.1", servers.ImapPort, MailKit.Security.SecureSocketOptions.None);
            await imap.AuthenticateAsync("support", MailServers.Password);
            var latencies = new List<double>();
            for (var i = 0; i < count + 3; i++)
            {
                var id = $"lat{i}.{Guid.NewGuid():N}@customer.example";
                var message = MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(
                    $"From: c{i}@example.test\r\nTo: support@helpdesk.test\r\nSubject: Latency {i}\r\nMessage-ID: <{id}>\r\n\r\nHello\r\n")));
                var sw = Stopwatch.StartNew();
                await imap.Inbox.AppendAsync(new MailKit.AppendRequest(message));
                while (true)
                {
                    await using var scope = app.Services.CreateAsyncScope();
                    var done = await scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>().Set<InboundMail>()
                        .AnyAsync(m => m.MessageId == id && m.State == InboundState.Processed);
                    if (done) break;
                    if (sw.Elapsed > TimeSpan.FromSeconds(60)) throw new TimeoutException($"message {i} not ingested within 60 s");
                    await Task.Delay(2);
                }
                if (i >= 3) latencies.Add(sw.Elapsed.TotalMilliseconds); // the first ones warm up the JIT
            }
            latencies.Sort();
            Console.WriteLine($"IMAP APPEND -> ticket committed, IDLE, {latencies.Count} messages (sequential):");
            Console.WriteLine($"p50 {Percentile(latencies, 50):F0} ms, p99 {Percentile(latencies, 99):F0} ms, max {latencies[^1]:F0} ms  (target p99 < 2000 ms)");
            await app.StopAsync();
            return 0;
        }
        finally
        {
            await servers.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { db, db + "-wal", db + "-shm" }) try { File.Delete(f); } catch (IOException) { }
        }
    }

    private static async Task<int> MailgateProcessAsync()
    {
        var count = int.TryParse(Environment.GetEnvironmentVariable("MAIL_BENCH_COUNT"), out var n) ? n : 30;
        var db = Path.Combine(Path.GetTempPath(), $"hd-gate-{Guid.NewGuid():N}.db");
        Environment.SetEnvironmentVariable("ConnectionStrings__HelpDesk", $"Data Source={db}");
        await using (var setup = await CliServices.BuildMigratedAsync())
        await using (var scope = setup.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new CreateTeam("support", "Support"));
        const int deliveries = 4;
        var corpus = GenerateCorpus(count * 3 + count * deliveries);
        await RunGateAsync("helpdesk mailgate, stores itself (no server)", corpus.Take(count), _ => Helpdesk(null));
        var app = HelpDeskWebApp.Build(["--urls=http://127.0.0.1:0", $"--ConnectionStrings:HelpDesk=Data Source={db}", "--HelpDesk:SeedDemo=false", "--Logging:LogLevel:Default=Warning"]);
        await app.StartAsync();
        var url = app.Urls.First();
        await RunGateAsync("helpdesk mailgate, hands off to the running server", corpus.Skip(count).Take(count), _ => Helpdesk(url));
        var native = await PublishNativeMailgateAsync();
        ProcessStartInfo Native(byte[] _)
        {
            var info = new ProcessStartInfo(native);
            info.ArgumentList.Add("--url");
            info.ArgumentList.Add(url);
            return info;
        }
        await RunGateAsync("helpdesk-mailgate (native), hands off to the running server", corpus.Skip(2 * count).Take(count), Native);
        // An MTA runs several pipe deliveries at once (Postfix: maxproc of the pipe transport); the server combines them.
        await RunGateAsync($"helpdesk-mailgate (native), {deliveries} deliveries at a time", corpus.Skip(3 * count), Native, deliveries);
        await app.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var f in new[] { db, db + "-wal", db + "-shm" }) try { File.Delete(f); } catch (IOException) { }
        return 0;

        ProcessStartInfo Helpdesk(string? handOffUrl)
        {
            var info = new ProcessStartInfo("dotnet");
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "helpdesk.dll"));
            info.ArgumentList.Add("mailgate");
            info.Environment["ConnectionStrings__HelpDesk"] = $"Data Source={db}";
            if (handOffUrl is not null) info.Environment["HelpDesk__Mail__MailgateUrl"] = handOffUrl;
            return info;
        }

        async Task RunGateAsync(string mode, IEnumerable<byte[]> messages, Func<byte[], ProcessStartInfo> start, int parallel = 1)
        {
            var times = new System.Collections.Concurrent.ConcurrentBag<double>();
            var all = Stopwatch.StartNew();
            await Parallel.ForEachAsync(messages, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (raw, _) =>
            {
                var info = start(raw);
                (info.RedirectStandardInput, info.RedirectStandardOutput, info.RedirectStandardError, info.UseShellExecute) = (true, true, true, false);
                var sw = Stopwatch.StartNew();
                using var p = Process.Start(info)!;
                await p.StandardInput.BaseStream.WriteAsync(raw);
                p.StandardInput.Close();
                var output = await p.StandardOutput.ReadToEndAsync();
                await p.WaitForExitAsync();
                times.Add(sw.Elapsed.TotalMilliseconds);
                if (p.ExitCode != 0 || !output.Contains("\"outcome\"")) throw new InvalidOperationException($"mailgate exited {p.ExitCode}: {await p.StandardError.ReadToEndAsync()}");
            });
            var sorted = times.Order().ToList();
            var rate = sorted.Count / all.Elapsed.TotalSeconds;
            Console.WriteLine($"{mode}, one process per message, {sorted.Count} messages: p50 {Percentile(sorted, 50):F1} ms, p90 {Percentile(sorted, 90):F1} ms, max {sorted[^1]:F0} ms");
            Console.WriteLine(parallel == 1
                ? $"  = {rate:F1} messages/s one after another (PHP pipe reference: 280 ms = 3.6 messages/s; goal < 28 ms a message: {(Percentile(sorted, 50) < 28 ? "met" : "NOT met")})"
                : $"  = {rate:F1} messages/s with {parallel} at a time (goal: ten times the PHP pipe's 3.6 messages/s = 36: {(rate >= 36 ? "met" : "NOT met")})");
        }
    }

    /// <summary>The checkout the bench runs from (the folder of HelpDesk.sln).</summary>
    internal static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "HelpDesk.sln"))) root = root.Parent;
        return root?.FullName ?? throw new InvalidOperationException("run the benchmark from the repository (HelpDesk.sln not found above the bench)");
    }

    /// <summary>Publishes src/HelpDesk.Mailgate as a native executable (PublishAot) into a temp folder; returns its path.</summary>
    private static async Task<string> PublishNativeMailgateAsync()
    {
        var root = new DirectoryInfo(RepositoryRoot());
        var output = Path.Combine(Path.GetTempPath(), "helpdesk-mailgate-native");
        Console.WriteLine("publishing helpdesk-mailgate as a native executable (about a minute)...");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "publish", Path.Combine(root.FullName, "src", "HelpDesk.Mailgate"), "-c", "Release", "-r", "linux-x64", "-o", output, "--nologo" })
            info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var log = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"dotnet publish failed: {await log}{await errors}");
        return Path.Combine(output, "helpdesk-mailgate");
    }

    internal static double Percentile(List<double> sorted, int p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
