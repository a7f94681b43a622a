using HelpDesk.Application.Persistence;
using HelpDesk.Application.Reporting.Projection;
using HelpDesk.Application.Reporting;
using HelpDesk.Application.Sla;
using HelpDesk.Application.Tickets;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Surveys;
using HelpDesk.Domain.Tickets;
using HelpDesk.Testing;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Web.Tests.Cli;

public sealed class SeedBulkCliTests : IDisposable
{
    private readonly TestDatabase _db = TestDatabase.Reserve("helpdesk-bulk");

    private Dictionary<string, string> Env => new(_db.EnvironmentVariables);

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Seed_bulk_writes_a_history_whose_stored_sla_and_report_rows_replay_from_the_ledgers()
    {
        var result = await CliProcess.RunAsync(["seed-bulk", "--tickets", "300", "--seed", "7"], environment: Env);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stdout.Should().Contain("seeded 300 tickets #10001-#10300");
        result.Stderr.Should().Contain("seed-bulk: 100 %");
        await using var db = Open();
        var configuration = new SlaConfiguration(await db.SlaPolicyVersions.ToListAsync(), await db.CalendarVersions.ToListAsync());
        var tickets = await db.Tickets.Include(t => t.History).AsSplitQuery().OrderBy(t => t.Number).ToListAsync();
        var rows = await db.Set<ReportTicket>().Include(r => r.Cycles).ToDictionaryAsync(r => r.TicketId);
        var alerts = (await db.SlaAlerts.ToListAsync()).ToLookup(a => a.TicketId, a => (a.Metric, a.Cycle, a.Percent));
        tickets.Should().HaveCount(300);
        (await db.Counters.SingleAsync(c => c.Name == TicketNumbers.CounterName)).Value.Should().Be(10300);
        // Due instants of running cycles do not depend on when they are evaluated, only on the ledger (see Near).
        var now = tickets.Max(t => t.UpdatedAt) + Duration.FromMilliseconds(1);

        foreach (var ticket in tickets)
        {
            var (storedDue, storedNext) = (ticket.SlaDueAt, ticket.SlaNextAlertAt);
            var report = TicketSla.Evaluate(ticket, configuration, now);
            SlaScheduler.Schedule(ticket, report, alerts[ticket.Id].ToHashSet());
            Near(ticket.SlaDueAt, storedDue).Should().BeTrue($"ticket #{ticket.Number}'s due instant {storedDue} replays from its ledger ({ticket.SlaDueAt})");
            Near(ticket.SlaNextAlertAt, storedNext).Should().BeTrue(
                $"ticket #{ticket.Number}'s next alert {storedNext} is the first one not yet fired ({ticket.SlaNextAlertAt})");
            // Stopped cycles never change, so a closed ticket's rows are what the projector makes of the ledger at any instant.
            if (ticket.IsClosed)
            {
                var expected = new ReportTicket { TicketId = ticket.Id };
                ReportProjector.Apply(expected, ticket, report);
                rows[ticket.Id].Should().BeEquivalentTo(expected, o => o
                    .Using<Instant>(c => c.Subject.Should().Be(Stored(c.Expectation))).WhenTypeIs<Instant>()
                    .Using<Instant?>(c => c.Subject.Should().Be(Stored(c.Expectation))).WhenTypeIs<Instant?>(),
                    $"ticket #{ticket.Number}'s report rows are its projection");
            }
        }

        tickets.Should().Contain(t => t.IsClosed).And.Contain(t => !t.IsSolvedOrClosed, "recent tickets are the open backlog");
        tickets.SelectMany(t => t.History).Should()
            .Contain(h => h.Kind == TicketChangeKind.StatusChanged && h.To == nameof(TicketStatus.Pending), "customers are waited for")
            .And.Contain(h => h.Kind == TicketChangeKind.StatusChanged && h.To == nameof(TicketStatus.OnHold), "third parties are waited for")
            .And.Contain(h => h.Kind == TicketChangeKind.Assigned && h.From != null, "tickets are reassigned")
            .And.Contain(h => h.Kind == TicketChangeKind.InternalNote)
            .And.Contain(h => h.Kind == TicketChangeKind.CustomerMessage);
        rows.Values.Should().Contain(r => r.Reopened, "customers reopen solved tickets")
            .And.Contain(r => r.FirstContactResolution);
        var breached = rows.Values.SelectMany(r => r.Cycles).Where(c => c.State == CycleState.Breached).ToList();
        breached.Should().NotBeEmpty("some answers are slow");
        breached.Should().OnlyContain(c => alerts[c.TicketId].Contains(new ValueTuple<SlaMetric, int, int>(c.Metric, c.Cycle, 100)),
            "a breach in the past has fired, so the due-queue does not fire it again on start");
        var surveys = await db.Set<Survey>().ToListAsync();
        surveys.Should().HaveCount(tickets.SelectMany(t => t.History).Count(h => h.Kind == TicketChangeKind.StatusChanged && h.To == nameof(TicketStatus.Solved)),
            "every solve sends a survey");
        surveys.Should().Contain(v => v.Rating >= 4).And.Contain(v => v.Rating <= 3).And.Contain(v => v.Rating == null)
            .And.Contain(v => v.Nps != null && v.Ces != null);
        surveys.Where(v => v.AnsweredAt is not null).Should().OnlyContain(v => v.AnsweredAt >= v.SentAt && v.AnsweredAt < v.ExpiresAt);
        tickets.Select(t => t.Channel).Distinct().Should().BeEquivalentTo(["email", "web", "api"]);
    }

    [Fact]
    public async Task Seed_bulk_writes_search_documents_that_a_rebuild_finds_nothing_to_change_in()
    {
        var result = await CliProcess.RunAsync(["seed-bulk", "--tickets", "120", "--seed", "3"], environment: Env);
        result.ExitCode.Should().Be(0, result.Stderr);

        await using var db = Open();
        (await db.Set<Application.Search.SearchDocument>().CountAsync()).Should().Be(120);
        var rebuilt = await new Application.Search.SearchRebuild(db).RunAsync(null, CancellationToken.None);

        rebuilt.Should().Be(new Application.Search.SearchRebuildResult(120, 0, 0));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("abc")]
    [InlineData("-5")]
    public async Task Seed_bulk_refuses_a_ticket_count_that_is_not_a_positive_number_with_one_line(string tickets)
    {
        var result = await CliProcess.RunAsync(["seed-bulk", "--tickets", tickets], environment: Env);

        result.ExitCode.Should().Be(2);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("--tickets").And.Contain(tickets);
        _db.Exists().Should().BeFalse("nothing is created for a wrong command line");
    }

    /// <summary>What the database keeps of an instant: 100 ns ticks (the engine computes in nanoseconds).</summary>
    private static Instant? Stored(Instant? instant) => instant is { } i ? Instant.FromUnixTimeTicks(i.ToUnixTimeTicks()) : null;

    /// <summary>
    /// A replay from storage lands within a millisecond of what was computed at write time: the seeder computed from
    /// its in-memory ledger (100 ns ticks) while the replay reads the stored one, and PostgreSQL keeps microseconds, so
    /// every pause and resume boundary of a ticket may move by up to 1 µs and a ticket with several of them by a few.
    /// </summary>
    private static bool Near(Instant? computed, Instant? stored) =>
        computed is null ? stored is null : stored is not null && Duration.Max(computed.Value - stored.Value, stored.Value - computed.Value) <= Duration.FromMilliseconds(1);

    private static Instant Stored(Instant instant) => Instant.FromUnixTimeTicks(instant.ToUnixTimeTicks());

    private HelpDeskDbContext Open() => _db.NewContext();
}
