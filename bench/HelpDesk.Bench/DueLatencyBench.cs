using System.Collections.Concurrent;
using HelpDesk.Application;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NodaTime;

namespace HelpDesk.Bench;

/// <summary>
/// Latency of the due-queue: the real <see cref="HelpDesk.Application.Sla.DueQueue.SlaDueQueueService"/> (real clock,
/// lease, signal) runs in a small host on a database of the provider with tickets whose breaches fall spread over 25 s from a few
/// seconds after start (24/7 calendar, first response 1 min, no warnings). For each breach, latency is the wall-clock
/// instant its SlaAlert row was committed minus its due instant. The run stops when all fired or after 60 s.
/// </summary>
internal static class DueLatencyBench
{
    public const int Tickets = 2_000;
    private static readonly Duration Target = Duration.FromMinutes(1);
    private static readonly Duration Lead = Duration.FromSeconds(5);
    private static readonly Duration Spread = Duration.FromSeconds(25);

    public static async Task<int> RunAsync(BenchProvider provider)
    {
        await using var database = await BenchDatabase.CreateAsync(provider);
        var commits = new CommitClock();
        await using var services = database.Services(SystemClock.Instance, s =>
        {
            s.AddSingleton<IInterceptor>(commits);
            s.AddSlaDueQueueService();
        });
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
            var from = SystemClock.Instance.GetCurrentInstant() - Duration.FromDays(1);
            db.CalendarVersions.Add(new BusinessCalendarVersion(Guid.CreateVersion7(), "always", 1, from, BusinessCalendar.TwentyFourSeven));
            var targets = Enum.GetValues<Priority>().ToDictionary(p => p, _ => new SlaTargets(Target, null, null));
            db.SlaPolicyVersions.Add(new SlaPolicyVersion(Guid.CreateVersion7(), "fast", 1, from, 1, "always", SlaPolicyConditions.Any,
                new SlaPolicyTerms(targets, [], SlaPolicyTerms.DefaultPauseOn)));
            await db.SaveChangesAsync();
        }

        var start = SystemClock.Instance.GetCurrentInstant() + Lead;
        var seed = await database.InsertTicketsAsync(Enumerable.Range(10_001, Tickets).Select(number =>
        {
            var due = start + Spread * ((number - 10_001) / (double)Tickets);
            return new SeedTicket(number, due - Target, "Normal", "New", Assigned: false, Note: false, Replied: false, Pending: false,
                Policy: "fast", SlaDueAt: due, SlaNextAlertAt: due);
        }));
        Console.WriteLine($"due-latency: {seed.Tickets:N0} tickets breaching over {Spread.TotalSeconds:N0} s from {Lead.TotalSeconds:N0} s after start " +
                          $"(seeded in {seed.Elapsed.TotalSeconds:N1} s)");

        var hosted = services.GetServices<IHostedService>().ToList();
        foreach (var service in hosted) await service.StartAsync(CancellationToken.None);
        var deadline = start + Spread + Duration.FromSeconds(30);
        while (commits.Latencies.Count < Tickets && SystemClock.Instance.GetCurrentInstant() < deadline)
            await Task.Delay(250);
        foreach (var service in hosted) await service.StopAsync(CancellationToken.None);

        var latencies = commits.Latencies.Select(d => d.TotalMilliseconds).Order().ToArray();
        if (latencies.Length == 0)
        {
            Console.WriteLine("no breach fired");
            return 1;
        }
        double Percentile(double p) => latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(p / 100 * latencies.Length) - 1)];
        Console.WriteLine($"fired {latencies.Length:N0} of {Tickets:N0} breaches; due -> committed latency (ms): " +
                          $"p50 {Percentile(50):N0}, p95 {Percentile(95):N0}, p99 {Percentile(99):N0}, max {latencies[^1]:N0}");
        Figures.Add(provider, "due-latency p99, ms (due -> alert committed)", $"{Percentile(99):N0} ({latencies.Length:N0}/{Tickets:N0} fired)");
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
            var fired = await db.SlaAlerts.AsNoTracking().Select(a => new { a.DueAt, a.FiredAt }).ToListAsync();
            var recorded = fired.Select(a => (a.FiredAt - a.DueAt).TotalMilliseconds).Order().ToArray();
            Console.WriteLine($"SlaAlert.FiredAt - DueAt (the pass's instant, before the ticket's work) (ms): " +
                              $"p50 {recorded[recorded.Length / 2]:N0}, max {recorded[^1]:N0}");
        }
        return latencies.Length == Tickets ? 0 : 1;
    }

    /// <summary>Records, for every SlaAlert a context adds, the wall-clock instant its SaveChanges committed.</summary>
    private sealed class CommitClock : SaveChangesInterceptor
    {
        private readonly ConcurrentDictionary<DbContext, List<Instant>> _pending = new();

        public ConcurrentBag<Duration> Latencies { get; } = [];

        public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
            CancellationToken cancellationToken = default)
        {
            if (eventData.Context is { } context)
                _pending[context] = context.ChangeTracker.Entries<SlaAlert>().Where(e => e.State == EntityState.Added).Select(e => e.Entity.DueAt).ToList();
            return ValueTask.FromResult(result);
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            var now = SystemClock.Instance.GetCurrentInstant();
            if (eventData.Context is { } context && _pending.TryRemove(context, out var dues))
                foreach (var due in dues) Latencies.Add(now - due);
            return ValueTask.FromResult(result);
        }

        public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            if (eventData.Context is { } context) _pending.TryRemove(context, out _);
            return Task.CompletedTask;
        }
    }
}
