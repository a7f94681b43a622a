using HelpDesk.Application.Reporting.Breaches;
using HelpDesk.Application.Reporting.Breaches.GetBreaches;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets.AddReply;
using HelpDesk.Application.Tickets.AssignTicket;
using HelpDesk.Application.Tickets.ChangeStatus;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Application.Tests.Reporting;

/// <summary>
/// A ticket on an office-hours calendar (UTC, Monday to Friday 09:00-17:00; resolution 6 h) that is held by its team,
/// then Alice, paused while pending, reopened by the customer, left overnight, reassigned to Lena, and breaches on
/// Tuesday at 11:00 when the due-queue fires. Resolution time counted before the breach: team 1 h, Alice 3.5 h, Lena 1.5 h.
/// </summary>
public class BreachAttributionEndToEndTests() : DeskTest(withPolicy: false)
{
    private static readonly Instant Monday = TestHost.Start; // 2 March 2026, 09:00 UTC
    private static readonly Instant Tuesday = Monday + Duration.FromDays(1);

    private async Task<int> WalkTheTicketToItsBreachAsync()
    {
        var week = new[] { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday }
            .ToDictionary(d => d, _ => (IReadOnlyList<WorkingRange>)[new WorkingRange(new LocalTime(9, 0), new LocalTime(17, 0))]);
        await _host.WithDbAsync(db =>
        {
            var from = Monday - Duration.FromDays(30);
            db.CalendarVersions.Add(new BusinessCalendarVersion(Guid.CreateVersion7(), "office", 1, from, BusinessCalendar.Create(DateTimeZone.Utc, week, [])));
            var targets = Enum.GetValues<Priority>().ToDictionary(p => p, _ => new SlaTargets(Duration.FromHours(4), Duration.FromHours(8), Duration.FromHours(6)));
            db.SlaPolicyVersions.Add(new SlaPolicyVersion(Guid.CreateVersion7(), "standard", 1, from, 1, "office", SlaPolicyConditions.Any,
                new SlaPolicyTerms(targets, SlaPolicyTerms.DefaultWarnAtPercent, SlaPolicyTerms.DefaultPauseOn)));
            return db.SaveChangesAsync();
        });

        var number = (await _desk.OpenTicketAsync(_host)).Number;                          // Mon 09:00, support's queue
        _host.Clock.Reset(Monday + Duration.FromHours(1));
        await _host.SendAsync(new AssignTicket(number, "alice@desk.test"), _desk.Lena.Id);  // Mon 10:00 → Alice
        _host.Clock.Reset(Monday + Duration.FromHours(2));
        await _host.SendAsync(new AddReply(number, "Which printer?", "public", null), _desk.Alice.Id);
        await _host.SendAsync(new ChangeStatus(number, "pending"), _desk.Alice.Id);        // Mon 11:00 paused
        _host.Clock.Reset(Monday + Duration.FromHours(6));
        await Desk.AddCustomerMessageAsync(_host, number);                                  // Mon 15:00 open again
        _host.Clock.Reset(Tuesday + Duration.FromMinutes(30));
        await _host.SendAsync(new AssignTicket(number, "lena@desk.test"), _desk.Lena.Id);   // Tue 09:30 → Lena

        _host.Clock.Reset(Tuesday + Duration.FromHours(2) + Duration.FromMinutes(1));       // Tue 11:01
        while (!(await _host.FireDueAsync()).IsEmpty) { }
        return number;
    }

    private Task<BreachPage> TuesdaysBreachesAsync(string? agent = null, string? metric = null) =>
        _host.QueryAsync(new GetBreaches("2026-03-03", "2026-03-03", Agent: agent, Metric: metric), _desk.Lena.Id);

    [Fact]
    public async Task The_due_queue_breach_is_attributed_to_the_agent_who_held_most_of_the_counting_time()
    {
        var number = await WalkTheTicketToItsBreachAsync();

        var page = await TuesdaysBreachesAsync();

        var item = page.Items.Should().ContainSingle().Subject;
        item.Should().BeEquivalentTo(new
        {
            TicketNumber = number, Subject = "Printer on fire", Metric = "resolution", Cycle = 1, State = "breached",
            TargetMs = 6 * 3_600_000L, BreachedAt = (Instant?)(Tuesday + Duration.FromHours(2)), StoppedAt = (Instant?)null,
            AttributedTo = new BreachHolder(_desk.Support.Id, "support", _desk.Alice.Id, "Alice"),
        });
        item.Shares.Should().Equal(
            new BreachShare(_desk.Support.Id, "support", _desk.Alice.Id, "Alice", 3_600_000L * 7 / 2),
            new BreachShare(_desk.Support.Id, "support", _desk.Lena.Id, "Lena", 3_600_000L * 3 / 2),
            new BreachShare(_desk.Support.Id, "support", null, null, 3_600_000L));
        item.Segments.Should().ContainEquivalentOf(new BreachSegment(Monday + Duration.FromHours(2), Monday + Duration.FromHours(6), "paused"));
        item.Segments.Should().ContainEquivalentOf(new BreachSegment(Monday + Duration.FromHours(8), Tuesday, "outside_hours"));
        item.Acknowledgement.Should().BeNull();
    }

    [Fact]
    public async Task Time_the_later_holder_spends_after_the_breach_does_not_move_the_attribution()
    {
        var number = await WalkTheTicketToItsBreachAsync();

        // Lena keeps it until Tuesday 16:00 (6.5 h of her time in all) and solves it without replying.
        _host.Clock.Reset(Tuesday + Duration.FromHours(7));
        await _host.SendAsync(new ChangeStatus(number, "solved"), _desk.Lena.Id);

        var resolution = (await TuesdaysBreachesAsync(metric: "resolution")).Items.Should().ContainSingle().Subject;
        resolution.StoppedAt.Should().Be(Tuesday + Duration.FromHours(7));
        resolution.AttributedTo.Agent.Should().Be("Alice");
        resolution.Shares.Select(s => (s.Agent, s.CountedMs)).Should().Equal(("Alice", 3_600_000L * 7 / 2), ("Lena", 3_600_000L * 3 / 2), (null, 3_600_000L));
        resolution.OverrunMs.Should().Be(resolution.CountedMs - resolution.TargetMs).And.BePositive();

        // The next reply the customer waited for since Monday 15:00 breached at Tuesday 15:00, mostly on Lena's watch.
        var nextReply = (await TuesdaysBreachesAsync(metric: "nextReply")).Items.Should().ContainSingle().Subject;
        nextReply.AttributedTo.Agent.Should().Be("Lena");
        nextReply.Shares.Select(s => (s.Agent, s.CountedMs)).Should().Equal(("Lena", 3_600_000L * 11 / 2), ("Alice", 3_600_000L * 5 / 2));

        (await TuesdaysBreachesAsync(agent: "alice@desk.test")).Items.Select(i => i.Metric).Should().Equal("resolution");
        (await TuesdaysBreachesAsync()).Items.Select(i => i.Metric).Should().Equal("nextReply", "resolution");
    }
}
