using System.Diagnostics;
using System.Globalization;
using HelpDesk.BulkData;
using HelpDesk.Application.Reporting.GetMetrics;
using HelpDesk.Application.Reporting.Breaches.GetBreaches;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets.GetQueue;
using HelpDesk.Domain.Agents;
using Mediator;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Bench;

/// <summary>
/// The leads' views at scale: seeds a year of history (1,000,000 tickets by default, <c>--tickets N</c> to size it
/// down) into a database of the provider with the same <see cref="BulkSeeder"/> as <c>helpdesk seed-bulk</c>, prints the
/// seeding rate, then times each query through the mediator as the API sends it (warm-up runs first, then p50/p95 of
/// the measured runs) against its target.
/// </summary>
internal static class ReportingBench
{
    private const int WarmUp = 5;
    private const int Runs = 50;

    /// <summary>One query to time: who asks (an agent's e-mail) and what.</summary>
    private sealed record Query(string Name, double TargetMs, string AskedBy, Func<IMediator, ValueTask<object>> Send);

    public static async Task<int> RunAsync(BenchProvider provider, string[] args)
    {
        var tickets = 1_000_000;
        string? existing = null, only = null;
        for (var i = 0; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length;
            switch (args[i])
            {
                case "--tickets" when ok && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out tickets) && tickets >= 1: i++; break;
                case "--database" when ok: existing = args[++i]; break;
                case "--only" when ok: only = args[++i]; break;
                default:
                    Console.Error.WriteLine("usage: reporting [--tickets N | --database SEEDED.db] [--only metrics|breach|queue]");
                    return 2;
            }
        }

        // --database: time the queries on a file seeded by `helpdesk seed-bulk` (left as it is) instead of seeding one.
        await using var database = existing is null ? await BenchDatabase.CreateMigratedAsync(provider) : BenchDatabase.Existing(provider, existing);
        await using var services = database.Services(SystemClock.Instance, _ => { });
        var agent = services.GetRequiredService<BenchAgent>();
        if (existing is null) await SeedAsync(provider, services, tickets);

        string lead;
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
            lead = (await db.Agents.Where(a => a.Role == AgentRole.Lead).Select(a => a.Email).ToListAsync()).First(e => e.Contains(".support"));
            Console.WriteLine($"database: {await database.SizeMiBAsync(db):N0} MiB; {await db.Tickets.CountAsync(t => t.Status != Domain.Tickets.TicketStatus.Solved && t.Status != Domain.Tickets.TicketStatus.Closed):N0} open tickets");
        }

        // The metrics contract's period: local dates, inclusive; the last 30 days up to today in UTC.
        var today = SystemClock.Instance.GetCurrentInstant().InUtc().Date;
        var (from, to) = (today.PlusDays(-29).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Query[] queries =
        [
            new("metrics, last 30 days, lead of support", 200, lead, async m => await m.Send(new GetMetrics(from, to))),
            new("metrics, last 30 days, admin (every team)", 200, BulkDesk.AdminEmail, async m => await m.Send(new GetMetrics(from, to))),
            new("breach list, last 30 days, page 1, lead of support", 200, lead, async m => await m.Send(new GetBreaches(from, to))),
            new("breach list, last 30 days, page 1, admin (every team)", 200, BulkDesk.AdminEmail, async m => await m.Send(new GetBreaches(from, to))),
            new("queue, lead of support (own team, nearest due first)", 20, lead, async m => await m.Send(new GetQueue(null, null, null, null))),
            new("queue, admin (every team)", 20, BulkDesk.AdminEmail, async m => await m.Send(new GetQueue(null, null, null, null))),
        ];
        var allMet = true;
        foreach (var query in queries.Where(q => only is null || q.Name.StartsWith(only, StringComparison.Ordinal)))
        {
            await using (var scope = services.CreateAsyncScope())
                agent.AgentId = await scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>().Agents
                    .Where(a => a.Email == query.AskedBy).Select(a => a.Id).SingleAsync();
            var times = new List<double>();
            for (var i = 0; i < WarmUp + Runs; i++)
            {
                await using var scope = services.CreateAsyncScope();
                var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
                var watch = Stopwatch.StartNew();
                await query.Send(mediator);
                if (i >= WarmUp) times.Add(watch.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            var (p50, p95) = (Percentile(times, 0.50), Percentile(times, 0.95));
            var met = p95 < query.TargetMs;
            allMet &= met;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{query.Name}: p50 {p50:N1} ms, p95 {p95:N1} ms (target p95 < {query.TargetMs:N0} ms: {(met ? "met" : "NOT met")})"));
            Figures.Add(provider, $"{query.Name}, p95 ms (target < {query.TargetMs:N0})", $"{p95:N1}{(met ? "" : " NOT met")}");
        }
        return allMet ? 0 : 1;
    }

    private static async Task SeedAsync(BenchProvider provider, ServiceProvider services, int tickets)
    {
        await using var scope = services.CreateAsyncScope();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var lastTenth = -1;
        var result = await scope.ServiceProvider.GetRequiredService<BulkSeeder>().SeedAsync(
            new BulkSeedOptions(tickets, BulkSeedOptions.DefaultDays(tickets), 1, null),
            new Progress<BulkProgress>(p =>
            {
                if (p.Done * 10 / p.Total == lastTenth) return;
                lastTenth = p.Done * 10 / p.Total;
                Console.Error.WriteLine($"seeding: {p.Done:N0}/{p.Total:N0}");
            }), CancellationToken.None);
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seeding: {result.Tickets:N0} tickets ({result.Rows:N0} rows, {result.Open:N0} open, {result.BreachedCycles:N0} breached cycles) in " +
            $"{result.Elapsed.TotalSeconds:N1} s = {result.TicketsPerSecond:N0} tickets/s (target >= 5,000: {(result.TicketsPerSecond >= 5000 ? "met" : "NOT met")}); " +
            $"generating {result.Generate.TotalSeconds:N1} s, writing {result.Write.TotalSeconds:N1} s, {cpu.TotalSeconds:N1} s CPU; desk set-up {result.Setup.TotalSeconds:N1} s"));
        Figures.Add(provider, $"seeding {result.Tickets:N0} tickets (seed-bulk), tickets/s (target >= 5,000)", $"{result.TicketsPerSecond:N0} ({result.Elapsed.TotalSeconds:N0} s)");
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
