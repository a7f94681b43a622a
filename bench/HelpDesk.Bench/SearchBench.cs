using System.Diagnostics;
using System.Globalization;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Search;
using HelpDesk.Application.Search.SearchTickets;
using HelpDesk.BulkData;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Bench;

/// <summary>
/// Search at scale (docs/search.md): seeds a history with <see cref="BulkSeeder"/> as <c>helpdesk seed-bulk</c> does
/// (1,000,000 tickets by default, <c>--tickets N</c> to size it down; its documents are written with it), then times
/// GET /api/v1/search through the mediator as an admin (every team): a two-word query taken from the seeded text and a
/// rare substring (6 characters from the middle of one ticket's thread), page 1 of 25, p50/p95 after a warm-up, against
/// the issue's targets; and the size of the documents and their index per ticket.
/// </summary>
internal static class SearchBench
{
    private const int WarmUp = 3;
    private const int Runs = 30;

    public static async Task<int> RunAsync(BenchProvider provider, string[] args)
    {
        var tickets = 1_000_000;
        if (args.Length > 0 && !(args.Length == 2 && args[0] == "--tickets" && int.TryParse(args[1], CultureInfo.InvariantCulture, out tickets) && tickets >= 1))
        {
            Console.Error.WriteLine("usage: search [--tickets N]");
            return 2;
        }
        await using var database = await BenchDatabase.CreateMigratedAsync(provider);
        await using var services = database.Services(SystemClock.Instance, _ => { });
        await using (var scope = services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<BulkSeeder>().SeedAsync(
                new BulkSeedOptions(tickets, BulkSeedOptions.DefaultDays(tickets), 1, null), null, CancellationToken.None);

        string twoWords, rare;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
            await db.Database.ExecuteSqlRawAsync("ANALYZE");
            var sample = await db.Set<SearchDocument>().OrderBy(d => d.Number).Skip(tickets / 2).Select(d => d.Body).FirstAsync();
            var words = sample.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.Length >= 5 && w.All(char.IsLetter)).Distinct().ToList();
            twoWords = $"{words[0]} {words[^1]}";
            rare = sample.Substring(sample.Length / 2, 6).Trim();
            var size = await IndexBytesAsync(db);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"search index: {size / 1048576.0:N1} MiB for {tickets:N0} tickets = {size / (double)tickets:N0} bytes per ticket"));
            Figures.Add(provider, $"search index size per ticket (documents + index)", $"{size / (double)tickets:N0} B");
            var admin = await db.Agents.Where(a => a.Email == BulkDesk.AdminEmail).Select(a => a.Id).SingleAsync();
            services.GetRequiredService<BenchAgent>().AgentId = admin;
        }

        var met = true;
        foreach (var (name, q, target) in new[] { ($"two words ({twoWords})", twoWords, 100.0), ($"rare substring ({rare})", rare, 300.0) })
        {
            var times = new List<double>();
            var total = 0;
            for (var i = 0; i < WarmUp + Runs; i++)
            {
                await using var scope = services.CreateAsyncScope();
                var watch = Stopwatch.StartNew();
                total = (await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new SearchTickets(q))).Total;
                if (i >= WarmUp) times.Add(watch.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            var (p50, p95) = (times[(int)Math.Ceiling(0.5 * times.Count) - 1], times[(int)Math.Ceiling(0.95 * times.Count) - 1]);
            met &= p95 < target;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"search, {name}: {total:N0} hits, p50 {p50:N1} ms, p95 {p95:N1} ms (target p95 < {target:N0} ms: {(p95 < target ? "met" : "NOT met")})"));
            Figures.Add(provider, $"search p95 ms, {(target < 200 ? "two words" : "rare substring")} ({tickets:N0} tickets, target < {target:N0})",
                $"{p95:N1}{(p95 < target ? "" : " NOT met")}");
        }
        return met ? 0 : 1;
    }

    private static async Task<long> IndexBytesAsync(HelpDeskDbContext db) =>
        db.Database.IsSqlite()
            ? await db.Database.SqlQueryRaw<long>(// No dbstat in the bundled SQLite: the documents' UTF-8 bytes plus the FTS5 index's blocks (its shadow table).
              "SELECT (SELECT COALESCE(SUM(length(CAST(\"Title\" AS BLOB)) + length(CAST(\"Body\" AS BLOB))), 0) FROM \"SearchDocuments\") + " +
              "(SELECT COALESCE(SUM(length(block)), 0) FROM \"SearchIndex_data\") AS \"Value\"").SingleAsync()
            : await db.Database.SqlQueryRaw<long>("SELECT pg_total_relation_size('\"SearchDocuments\"') AS \"Value\"").SingleAsync();
}
