using HelpDesk.Application.Reporting.Projection;
using HelpDesk.Domain.Surveys;
using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Reporting;
using HelpDesk.Application.Search;
using HelpDesk.Application.Sla;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.BulkData;

/// <param name="Tickets">How many tickets to add.</param>
/// <param name="Days">The history spans the last this many days before now.</param>
/// <param name="Seed">The random seed: the same seed on the same clock gives the same history (ids aside).</param>
/// <param name="Password">Console password of the admin, the leads and one agent per team (null: nobody can sign in).</param>
/// <param name="SurveyValidityDays">How long survey links work (<c>HelpDesk:Surveys:ValidityDays</c>); answers come within it.</param>
public sealed record BulkSeedOptions(int Tickets, int Days, int Seed, string? Password, double SurveyValidityDays = 30)
{
    public const int MaxTickets = 10_000_000;

    /// <summary>A week for a few hundred tickets, up to a year from 73,000 on (about 200 tickets a day).</summary>
    public static int DefaultDays(int tickets) => (int)Math.Clamp(Math.Ceiling(tickets / 200.0), 7, 365);
}

public sealed record BulkProgress(int Done, int Total, TimeSpan Elapsed);

/// <param name="Setup">Teams, calendars, policies and agents through the commands (password hashing is most of it).</param>
/// <param name="Elapsed">Customers and tickets: generation, evaluation, projection and inserts, and the final checkpoint.</param>
/// <param name="Generate">Wall time spent generating, evaluating and projecting batches (overlaps the writes).</param>
/// <param name="Write">Wall time spent inserting and committing.</param>
public sealed record BulkSeedResult(int Tickets, int FirstNumber, int LastNumber, int Customers, long Rows, int Open, int BreachedCycles,
    int Alerts, int SurveysAnswered, TimeSpan Setup, TimeSpan Elapsed, TimeSpan Generate, TimeSpan Write)
{
    public double TicketsPerSecond => Tickets / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// <c>helpdesk seed-bulk</c>: a realistic history of many tickets, written through the domain and inserted in bulk.
/// Each ticket's life is told by <see cref="TicketStory"/> through the aggregate, then evaluated exactly as a handler
/// would after its last change (<see cref="TicketSla.Evaluate"/>, <see cref="SlaScheduler.Schedule"/>,
/// <see cref="ReportProjector.Apply"/>), so histories are valid, the SLA ledger replays to the stored columns and the
/// reporting rows match the tickets. Generation and evaluation run in parallel batches while the previous batch is
/// written by <see cref="BulkWriter{T}"/> (model-driven, prepared multi-row INSERTs, one transaction per batch).
/// </summary>
/// <remarks>
/// Alerts that are already past are written as fired (<see cref="SlaAlert"/> rows at their own instant, without
/// notifications) and <see cref="Ticket.SlaNextAlertAt"/> is the next alert still ahead, exactly what the due-queue
/// would have left had it run through the whole history: on start it fires nothing old, only what falls due from now on.
/// Escalation rules are not replayed: seeded tickets carry no escalation timers until their next change.
/// </remarks>
public sealed class BulkSeeder(HelpDeskDbContext db, IMediator mediator, SlaConfigurationCache cache, IClock clock)
{
    private const int BatchSize = 2_000;

    public async Task<BulkSeedResult> SeedAsync(BulkSeedOptions options, IProgress<BulkProgress>? progress, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        // Whole seconds: PostgreSQL keeps microseconds, so a history built from a tick-precise now would not replay to the
        // millisecond on it (report rows one millisecond off their ledger's projection).
        var now = Instant.FromUnixTimeSeconds(clock.GetCurrentInstant().ToUnixTimeSeconds());
        var ticketsPerWorkingDay = options.Tickets / (double)options.Days * 7 / 5;
        var teams = await BulkDesk.EnsureAsync(db, mediator, ticketsPerWorkingDay, options.Password, now, ct);
        db.ChangeTracker.Clear();
        var configuration = await cache.GetAsync(db, ct);
        var last = await ReserveNumbersAsync(options.Tickets, ct);
        var first = last - options.Tickets + 1;
        var setup = watch.Elapsed;
        watch.Restart();

        await db.Database.OpenConnectionAsync(ct);
        var connection = db.Database.GetDbConnection();
        var restore = await SqliteForSeedingAsync(connection, ct);
        try
        {
            var customers = await db.InTransactionAsync((tx, ct) => BulkDesk.EnsureCustomersAsync(db, Math.Clamp(options.Tickets / 3, 30, 300_000), tx, ct), ct);
            var plan = Plan(options, teams, now);
            var batches = Channel.CreateBounded<Batch>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
            var producer = Task.Run(() => Produce(batches.Writer, plan, first, teams, customers, configuration, options.Seed,
                Duration.FromDays(options.SurveyValidityDays), now, ct), ct);
            var stats = await WriteAsync(batches.Reader, options.Tickets, watch, progress, ct);
            var generate = await producer;
            if (db.Sql.AfterBulkWrite is { } after) await ExecuteAsync(connection, after, ct);
            return new BulkSeedResult(options.Tickets, first, last, customers.Count, stats.Rows, stats.Open, stats.Breached, stats.Alerts, stats.Answered, setup, watch.Elapsed,
                generate, stats.Write);
        }
        finally
        {
            foreach (var pragma in restore) await ExecuteAsync(connection, pragma, CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Takes the numbers in one step, so tickets created meanwhile (a running server) never collide with them.</summary>
    private async Task<int> ReserveNumbersAsync(int count, CancellationToken ct)
    {
        var last = await db.InTransactionAsync(async ct =>
        {
            await db.Counters.Where(c => c.Name == TicketNumbers.CounterName).ExecuteUpdateAsync(s => s.SetProperty(c => c.Value, c => c.Value + count), ct);
            return await db.Counters.Where(c => c.Name == TicketNumbers.CounterName).Select(c => c.Value).SingleAsync(ct);
        }, ct);
        return checked((int)last);
    }

    /// <summary>
    /// SQLite only, and only on this connection for the seed: no fsync per commit (a crash loses the seed, not data that
    /// was there), a large page cache, temporary b-trees in memory. Returns the statements that restore the settings.
    /// </summary>
    private async Task<IReadOnlyList<string>> SqliteForSeedingAsync(DbConnection connection, CancellationToken ct)
    {
        var restore = new List<string>();
        foreach (var (pragma, value) in db.Sql.BulkSessionSettings)
        {
            await using var read = connection.CreateCommand();
            read.CommandText = $"PRAGMA {pragma};";
            restore.Add($"PRAGMA {pragma}={await read.ExecuteScalarAsync(ct)};");
            await ExecuteAsync(connection, $"PRAGMA {pragma}={value};", ct);
        }
        return restore;
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// When each ticket is created and in which team, oldest first (numbers follow creation): spread over the period,
    /// nine in ten in the team's local office hours on weekdays, fewer at night and at weekends.
    /// </summary>
    private static (long[] Ticks, byte[] Teams) Plan(BulkSeedOptions options, IReadOnlyList<BulkTeam> teams, Instant now)
    {
        var rng = new Random(options.Seed);
        var ticks = new long[options.Tickets];
        var teamOf = new byte[options.Tickets];
        var start = now - Duration.FromDays(options.Days);
        var span = (now - start - Duration.FromMinutes(1)).BclCompatibleTicks;
        var total = teams.Sum(t => t.Share);
        for (var i = 0; i < options.Tickets; i++)
        {
            var u = rng.NextDouble() * total;
            var team = 0;
            while (team < teams.Count - 1 && u >= teams[team].Share) u -= teams[team++].Share;
            Instant at;
            while (true)
            {
                at = start + Duration.FromTicks((long)(rng.NextDouble() * span));
                var local = at.InZone(teams[team].Office.Zone).LocalDateTime;
                var weekday = local.DayOfWeek is not (IsoDayOfWeek.Saturday or IsoDayOfWeek.Sunday);
                var weight = weekday && local.Hour is >= 8 and < 18 ? 1.0 : weekday ? 0.06 : 0.04;
                if (rng.NextDouble() < weight) break;
            }
            ticks[i] = at.ToUnixTimeTicks();
            teamOf[i] = (byte)team;
        }
        Array.Sort(ticks, teamOf);
        return (ticks, teamOf);
    }

    private static async Task<TimeSpan> Produce(ChannelWriter<Batch> output, (long[] Ticks, byte[] Teams) plan, int first, IReadOnlyList<BulkTeam> teams,
        IReadOnlyList<Customer> customers, SlaConfiguration configuration, int seed, Duration surveyValidity, Instant now, CancellationToken ct)
    {
        var busy = TimeSpan.Zero;
        try
        {
            for (var start = 0; start < plan.Ticks.Length; start += BatchSize)
            {
                var watch = Stopwatch.StartNew();
                var batch = new Seeded[Math.Min(BatchSize, plan.Ticks.Length - start)];
                Parallel.For(0, batch.Length, new ParallelOptions { CancellationToken = ct }, k =>
                {
                    var i = start + k;
                    var rng = new Random(HashCode.Combine(seed, i));
                    // A few customers write much more than the rest.
                    var customer = customers[(int)(customers.Count * Math.Pow(rng.NextDouble(), 2))];
                    var ticket = TicketStory.Write(rng, first + i, Instant.FromUnixTimeTicks(plan.Ticks[i]), teams[plan.Teams[i]], teams,
                        customer, configuration, now);
                    batch[k] = Evaluate(ticket, configuration, now) with { Search = SearchDocument.Of(ticket, customer) };
                    batch[k].Surveys.AddRange(TicketStory.Surveys(rng, ticket, customer.Email, batch[k].Report.Breaches > 0 || batch[k].Report.Reopened,
                        surveyValidity, now));
                });
                busy += watch.Elapsed;
                await output.WriteAsync(new Batch(batch), ct);
            }
            output.Complete();
        }
        catch (Exception ex)
        {
            output.Complete(ex);
        }
        return busy;
    }

    /// <summary>What the handler of the ticket's last change, and the due-queue since, would have stored.</summary>
    private static Seeded Evaluate(Ticket ticket, SlaConfiguration configuration, Instant now)
    {
        var report = TicketSla.Evaluate(ticket, configuration, now);
        var alerts = new List<SlaAlert>();
        foreach (var cycle in report.Clocks)
        {
            var until = cycle.StoppedAt is { } stopped && stopped < now ? stopped : now;
            foreach (var warning in cycle.Warnings.Where(w => w.At <= until))
                alerts.Add(Fired(ticket, cycle, warning.Percent, warning.At));
            if (cycle.BreachedAt is { } breached && breached <= now)
                alerts.Add(Fired(ticket, cycle, SlaAlertPoint.Breach, breached));
        }
        SlaScheduler.Schedule(ticket, report, alerts.Select(a => (a.Metric, a.Cycle, a.Percent)).ToHashSet());
        var row = new ReportTicket { TicketId = ticket.Id };
        ReportProjector.Apply(row, ticket, report);
        return new Seeded(ticket, row, alerts, []);
    }

    private static SlaAlert Fired(Ticket ticket, SlaCycle cycle, int percent, Instant at) => new()
    {
        Id = Guid.CreateVersion7(), TicketId = ticket.Id, TicketNumber = ticket.Number, Metric = cycle.Metric, Cycle = cycle.Cycle,
        Percent = percent, DueAt = at, FiredAt = at,
    };

    private async Task<Stats> WriteAsync(ChannelReader<Batch> input, int total, Stopwatch watch, IProgress<BulkProgress>? progress, CancellationToken ct)
    {
        var stats = new Stats();
        var done = 0;
        await foreach (var batch in input.ReadAllAsync(ct))
        {
            var busy = Stopwatch.StartNew();
            // A retried batch starts again with fresh writers and counts, so nothing of a rolled-back attempt is counted.
            var written = await db.InTransactionAsync((tx, ct) => WriteBatchAsync(batch, tx, ct), ct);
            stats.Add(written);
            stats.Write += busy.Elapsed;
            done += batch.Tickets.Length;
            progress?.Report(new BulkProgress(done, total, watch.Elapsed));
        }
        return stats;
    }

    private async Task<Stats> WriteBatchAsync(Batch batch, DbTransaction tx, CancellationToken ct)
    {
        var ticketId = Guid.Empty;
        await using var tickets = new BulkWriter<Ticket>(db) { Transaction = tx };
        await using var articles = new BulkWriter<Article>(db) { Transaction = tx };
        await using var history = new BulkWriter<TicketChange>(db, new Dictionary<string, Func<TicketChange, object?>> { ["TicketId"] = _ => ticketId }) { Transaction = tx };
        await using var reports = new BulkWriter<ReportTicket>(db) { Transaction = tx };
        await using var cycles = new BulkWriter<ReportCycle>(db) { Transaction = tx };
        await using var alerts = new BulkWriter<SlaAlert>(db) { Transaction = tx };
        await using var surveys = new BulkWriter<Survey>(db) { Transaction = tx };
        await using var search = new BulkWriter<SearchDocument>(db) { Transaction = tx };
        var stats = new Stats();
        // Parents first: the foreign keys are checked on every insert.
        foreach (var s in batch.Tickets) await tickets.AddAsync(s.Ticket, ct);
        await tickets.FlushAsync(ct);
        foreach (var s in batch.Tickets)
        {
            ticketId = s.Ticket.Id;
            await articles.AddRangeAsync(s.Ticket.Articles, ct);
            await history.AddRangeAsync(s.Ticket.History, ct);
            await reports.AddAsync(s.Report, ct);
            await alerts.AddRangeAsync(s.Alerts, ct);
            await surveys.AddRangeAsync(s.Surveys, ct);
            await search.AddAsync(s.Search!, ct);
            stats.Answered += s.Surveys.Count(v => v.AnsweredAt is not null);
            if (!s.Ticket.IsSolvedOrClosed) stats.Open++;
            stats.Breached += s.Report.Breaches;
            stats.Alerts += s.Alerts.Count;
        }
        await articles.FlushAsync(ct);
        await history.FlushAsync(ct);
        await reports.FlushAsync(ct);
        await alerts.FlushAsync(ct);
        await surveys.FlushAsync(ct);
        await search.FlushAsync(ct);
        foreach (var s in batch.Tickets) await cycles.AddRangeAsync(s.Report.Cycles, ct);
        await cycles.FlushAsync(ct);
        stats.Rows = tickets.Written + articles.Written + history.Written + reports.Written + cycles.Written + alerts.Written + surveys.Written + search.Written;
        return stats;
    }

    private sealed record Seeded(Ticket Ticket, ReportTicket Report, List<SlaAlert> Alerts, List<Survey> Surveys)
    {
        public SearchDocument? Search { get; init; }
    }

    private sealed record Batch(Seeded[] Tickets);

    private sealed class Stats
    {
        public long Rows;
        public int Open, Breached, Alerts, Answered;
        public TimeSpan Write;

        public void Add(Stats batch)
        {
            Rows += batch.Rows;
            Open += batch.Open;
            Breached += batch.Breached;
            Alerts += batch.Alerts;
            Answered += batch.Answered;
        }
    }
}
