using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Surveys;
using Microsoft.EntityFrameworkCore;
using HelpDesk.Application.Reporting;
using HelpDesk.Application.Reporting.GetMetrics;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets;
using HelpDesk.Application.Tickets.AddReply;
using HelpDesk.Application.Tickets.ChangeStatus;
using HelpDesk.Application.Tickets.ClaimTicket;
using HelpDesk.Application.Tickets.CreateTicket;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Application.Tests.Reporting;

/// <summary>
/// The definitions of metrics.md on hand-built histories: an office calendar (UTC, Monday to Friday 09:00–17:00) with a
/// policy of first response 4 h, next reply 8 h, resolution 16 h for every priority but low (no targets).
/// </summary>
public sealed class MetricsTests() : DeskTest(withPolicy: false)
{
    private static readonly Instant Monday = TestHost.Start; // 2026-03-02 09:00 UTC
    private static readonly Instant Friday4Pm = Instant.FromUtc(2026, 3, 6, 16, 0);

    private async Task UseOfficeHoursAsync() => await _host.WithDbAsync(db =>
    {
        var nineToFive = (IReadOnlyList<WorkingRange>)[new WorkingRange(new LocalTime(9, 0), new LocalTime(17, 0))];
        var week = new[] { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday }
            .ToDictionary(d => d, _ => nineToFive);
        var from = Monday - Duration.FromDays(30);
        db.CalendarVersions.Add(new BusinessCalendarVersion(Guid.CreateVersion7(), "office", 1, from, BusinessCalendar.Create(DateTimeZone.Utc, week, [])));
        var targets = new SlaTargets(Duration.FromHours(4), Duration.FromHours(8), Duration.FromHours(16));
        db.SlaPolicyVersions.Add(new SlaPolicyVersion(Guid.CreateVersion7(), "standard", 1, from, 1, "office", SlaPolicyConditions.Any,
            new SlaPolicyTerms(new Dictionary<Priority, SlaTargets> { [Priority.Urgent] = targets, [Priority.High] = targets, [Priority.Normal] = targets },
                SlaPolicyTerms.DefaultWarnAtPercent, SlaPolicyTerms.DefaultPauseOn)));
        return db.SaveChangesAsync();
    });

    private Task<TicketDto> OpenAsync(string priority = "normal") =>
        _host.SendAsync(new CreateTicket("VPN drops", "Every hour.", new RequesterInput("carol@customer.test", "Carol"), priority, "support"));

    private Task ReplyAsync(int number) => _host.SendAsync(new AddReply(number, "Try this.", "public", null), _desk.Alice.Id);

    private Task StatusAsync(int number, string status) => _host.SendAsync(new ChangeStatus(number, status), _desk.Alice.Id);

    private void At(Instant instant) => _host.Clock.Reset(instant);

    private Task<MetricsDto> MetricsAsync(string from, string to, string? tz = null, Guid? asAgent = null) =>
        _host.QueryAsync(new GetMetrics(from, to, Tz: tz), asAgent ?? _desk.Admin.Id);

    [Fact]
    public async Task First_response_over_a_weekend_counts_office_hours_as_business_time_and_wall_clock_as_calendar_time()
    {
        await UseOfficeHoursAsync();
        At(Friday4Pm);
        var ticket = await OpenAsync();
        At(Instant.FromUtc(2026, 3, 9, 10, 0)); // Monday 10:00
        await ReplyAsync(ticket.Number);

        var metrics = await MetricsAsync("2026-03-06", "2026-03-09");

        var frt = metrics.FirstResponse!;
        frt.Count.Should().Be(1);
        frt.Business.Should().Be(new DurationStats(Hours(2), Hours(2), Hours(2)), "Friday 16–17 and Monday 09–10");
        frt.Calendar.Should().Be(new DurationStats(Hours(66), Hours(66), Hours(66)), "Friday 16:00 to Monday 10:00");
        frt.Attainment.Should().Be(new AttainmentDto(1, 1, 1.0));
        metrics.FrtDistribution.Single(b => b.Count > 0).Label.Should().Be("1–4h", "the distribution is in business time");
    }

    [Fact]
    public async Task First_response_time_reports_mean_median_and_nearest_rank_p90_with_attainment_and_distribution()
    {
        await UseOfficeHoursAsync();
        At(Monday);
        var tickets = new List<int>();
        for (var i = 0; i < 5; i++) tickets.Add((await OpenAsync()).Number);
        var answeredAfter = new[] { Duration.FromMinutes(30), Duration.FromHours(1), Duration.FromHours(2), Duration.FromHours(3), Duration.FromHours(6) };
        for (var i = 0; i < 5; i++)
        {
            At(Monday + answeredAfter[i]);
            await ReplyAsync(tickets[i]);
        }

        var metrics = await MetricsAsync("2026-03-02", "2026-03-02");

        var frt = metrics.FirstResponse!;
        frt.Count.Should().Be(5);
        frt.Business.Should().Be(new DurationStats(Hours(2.5), Hours(2), Hours(6)), "mean 12.5h/5, middle value 2h, rank ⌈0.9·5⌉ = 5th value");
        frt.Attainment.Should().Be(new AttainmentDto(4, 5, 0.8), "6 h is past the 4 h target");
        metrics.FrtDistribution.Select(b => (b.Label, b.Count)).Should().Equal(
            ("< 1h", 1), ("1–4h", 3), ("4–8h", 1), ("8–24h", 0), ("1–3d", 0), ("> 3d", 0));
        metrics.Weekly.Should().ContainSingle().Which.Should().Be(
            new WeeklyAttainmentDto(new LocalDate(2026, 3, 2), new AttainmentDto(4, 5, 0.8), new AttainmentDto(0, 0, null), new AttainmentDto(0, 0, null)));
    }

    [Fact]
    public async Task First_contact_resolution_counts_only_solves_with_one_public_reply_that_were_never_reopened()
    {
        await UseOfficeHoursAsync();
        At(Monday);
        var oneReply = (await OpenAsync()).Number;
        var twoReplies = (await OpenAsync()).Number;
        var reopened = (await OpenAsync()).Number;
        var unsolved = (await OpenAsync()).Number;
        At(Monday + Duration.FromHours(1));
        foreach (var n in new[] { oneReply, twoReplies, reopened, unsolved }) await ReplyAsync(n);
        await ReplyAsync(twoReplies);
        At(Monday + Duration.FromHours(2));
        foreach (var n in new[] { oneReply, twoReplies, reopened }) await StatusAsync(n, "solved");
        At(Monday + Duration.FromHours(3));
        await StatusAsync(reopened, "open");
        At(Monday + Duration.FromHours(4));
        await StatusAsync(reopened, "solved");

        var metrics = await MetricsAsync("2026-03-02", "2026-03-02");

        metrics.FirstContactResolution.Should().Be(new FcrDto(3, 1, 1.0 / 3));
        metrics.ResolutionRate.Should().Be(new ResolutionRateDto(4, 3, 0.75), "3 solved of 4 created in the period");
        metrics.Resolution!.Count.Should().Be(3);
        metrics.Resolution.Business.Should().Be(new DurationStats(Hours(7) / 3, Hours(2), Hours(3)),
            "2 h, 2 h, and 3 h for the reopened one (its hour solved is not counted)");
        metrics.Resolution.Attainment.Should().Be(new AttainmentDto(3, 3, 1.0));
    }

    [Fact]
    public async Task Weekly_attainment_puts_each_stop_in_the_iso_week_of_the_viewers_time_zone()
    {
        await UseOfficeHoursAsync();
        At(Friday4Pm);
        var ticket = await OpenAsync();
        At(Instant.FromUtc(2026, 3, 8, 23, 30)); // Sunday 23:30 UTC = Monday 00:30 in Berlin
        await ReplyAsync(ticket.Number);

        var utc = await MetricsAsync("2026-03-02", "2026-03-15");
        var berlin = await MetricsAsync("2026-03-02", "2026-03-15", "Europe/Berlin");

        utc.Weekly.Select(w => (w.WeekStart, w.FirstResponse!.Stopped)).Should().Equal(
            (new LocalDate(2026, 3, 2), 1), (new LocalDate(2026, 3, 9), 0));
        berlin.Weekly.Select(w => (w.WeekStart, w.FirstResponse!.Stopped)).Should().Equal(
            (new LocalDate(2026, 3, 2), 0), (new LocalDate(2026, 3, 9), 1));
        berlin.TimeZone.Should().Be("Europe/Berlin");
        berlin.FirstResponse!.Business.MeanMs.Should().Be(Hours(1), "Friday 16–17; the weekend and Monday's first minutes are outside hours");
    }

    [Fact]
    public async Task Backlog_counts_open_tickets_by_sla_state_team_and_priority()
    {
        await UseOfficeHoursAsync();
        At(Monday);
        var breached = await OpenAsync("high");
        var paused = await OpenAsync();
        var noSla = await OpenAsync("low");
        var solved = await OpenAsync();
        At(Monday + Duration.FromMinutes(30));
        await ReplyAsync(paused.Number);
        await StatusAsync(paused.Number, "pending");
        await ReplyAsync(solved.Number);
        await StatusAsync(solved.Number, "solved");
        At(Monday + Duration.FromHours(1));
        var atRisk = await OpenAsync("urgent");
        At(Monday + Duration.FromHours(3.5));
        var onTrack = await OpenAsync();
        At(Monday + Duration.FromHours(4.5));
        await _host.FireDueAsync(); // the breach of the first and the 75 % warning of the fifth (3.5 h of 4 h)

        var backlog = (await MetricsAsync("2026-03-02", "2026-03-02")).Backlog;

        backlog.Total.Should().Be(5);
        backlog.BySlaState.Should().Be(new SlaStateCountsDto(Breached: 1, AtRisk: 1, OnTrack: 1, Paused: 1, NoSla: 1));
        backlog.ByPriority.Should().Be(new PriorityCountsDto(Urgent: 1, High: 1, Normal: 2, Low: 1));
        backlog.ByTeam.Should().Equal(new TeamCountDto(_desk.Support.Id, "Support", 5));
        _ = (breached, noSla, atRisk, onTrack);
    }

    [Fact]
    public async Task An_agent_gets_only_their_own_figures_and_a_lead_only_their_teams()
    {
        await UseOfficeHoursAsync();
        At(Monday);
        var alices = await OpenAsync();
        await _host.SendAsync(new ClaimTicket(alices.Number), _desk.Alice.Id);
        await OpenAsync();

        (await MetricsAsync("2026-03-02", "2026-03-02", asAgent: _desk.Alice.Id)).Backlog.Total.Should().Be(1, "only the ticket assigned to her");
        (await MetricsAsync("2026-03-02", "2026-03-02", asAgent: _desk.Lena.Id)).Backlog.Total.Should().Be(2);
        (await MetricsAsync("2026-03-02", "2026-03-02", asAgent: _desk.Tom.Id)).Backlog.Total.Should().Be(0, "tier2 has no tickets");

        var other = () => _host.QueryAsync(new GetMetrics("2026-03-02", "2026-03-02", Agent: "lena@desk.test"), _desk.Alice.Id);
        await other.Should().ThrowAsync<ForbiddenException>();
        var otherTeam = () => _host.QueryAsync(new GetMetrics("2026-03-02", "2026-03-02", Team: "tier2"), _desk.Lena.Id);
        await otherTeam.Should().ThrowAsync<ForbiddenException>();
    }

    [Fact]
    public async Task Csat_nps_and_ces_count_the_answers_given_in_the_period_and_credit_the_solving_agent()
    {
        await UseOfficeHoursAsync();
        At(Monday);
        var answers = new (int Rating, int? Nps, int? Ces)[] { (5, 10, 7), (4, 9, null), (3, 7, 2), (1, 0, 1), (5, null, null) };
        foreach (var (rating, nps, ces) in answers)
        {
            var ticket = await OpenAsync();
            await _host.SendAsync(new ClaimTicket(ticket.Number), _desk.Alice.Id);
            await ReplyAsync(ticket.Number);
            await StatusAsync(ticket.Number, "solved");
            await _host.WithDbAsync(async db =>
            {
                var stored = await db.Tickets.AsNoTracking().SingleAsync(t => t.Number == ticket.Number);
                var survey = Survey.Send(Guid.CreateVersion7(), stored.Id, stored.Number, 1, "carol@customer.test", Monday, Duration.FromDays(30));
                survey.Rate(rating, Monday + Duration.FromHours(1));
                survey.AddFeedback(null, nps, ces, Monday + Duration.FromHours(1));
                db.Add(survey);
                return await db.SaveChangesAsync();
            });
        }

        var metrics = await MetricsAsync("2026-03-02", "2026-03-02");

        metrics.Csat.Should().Be(new CsatScore(Answers: 5, Satisfied: 3, Score: 0.6), "4 and 5 are satisfied");
        metrics.Nps.Should().BeEquivalentTo(new { Answers = 4, Promoters = 2, Passives = 1, Detractors = 1, Score = 25.0 });
        metrics.Ces.Answers.Should().Be(3);
        metrics.Ces.Mean.Should().BeApproximately(10.0 / 3, 1e-9);
        metrics.Ces.Distribution.Should().Equal(1, 1, 0, 0, 0, 0, 1);
        (await MetricsAsync("2026-03-03", "2026-03-03")).Csat.Answers.Should().Be(0, "the answers were given on Monday");

        var scorecards = await _host.QueryAsync(new HelpDesk.Application.Reporting.GetScorecards.GetScorecards("2026-03-02", "2026-03-02"), _desk.Admin.Id);
        scorecards.Agents.Single(a => a.AgentId == _desk.Alice.Id).Csat.Should().Be(new CsatScore(5, 3, 0.6));
        scorecards.Teams.Single(t => t.TeamId == _desk.Support.Id).Csat.Answers.Should().Be(5);
    }

    [Fact]
    public async Task A_first_response_is_credited_to_the_agent_who_sent_it_not_to_whoever_holds_the_ticket_later()
    {
        await UseOfficeHoursAsync();
        At(Monday);
        var ticket = await OpenAsync();
        await _host.SendAsync(new ClaimTicket(ticket.Number), _desk.Alice.Id);
        At(Monday + Duration.FromHours(1));
        await ReplyAsync(ticket.Number);
        At(Monday + Duration.FromHours(2));
        await _host.SendAsync(new HelpDesk.Application.Tickets.AssignTicket.AssignTicket(ticket.Number, "lena@desk.test"), _desk.Lena.Id);

        var scorecards = await _host.QueryAsync(new HelpDesk.Application.Reporting.GetScorecards.GetScorecards("2026-03-02", "2026-03-02"), _desk.Admin.Id);
        scorecards.Agents.Single(a => a.AgentId == _desk.Alice.Id).FirstResponse.Should().Be(new HelpDesk.Application.Reporting.GetScorecards.ScorecardTimeDto(1, Hours(1), Hours(1), Hours(1)));
        scorecards.Agents.Single(a => a.AgentId == _desk.Lena.Id).FirstResponse.Count.Should().Be(0, "Lena holds the ticket now but did not answer it");
        (await _host.QueryAsync(new GetMetrics("2026-03-02", "2026-03-02", Agent: "alice@desk.test"), _desk.Admin.Id)).FirstResponse!.Count.Should().Be(1);
        (await _host.QueryAsync(new GetMetrics("2026-03-02", "2026-03-02", Agent: "lena@desk.test"), _desk.Admin.Id)).FirstResponse!.Count.Should().Be(0);
        (await _host.QueryAsync(new GetMetrics("2026-03-02", "2026-03-02", Agent: "lena@desk.test"), _desk.Admin.Id)).Backlog.Total.Should().Be(1, "the backlog is by current assignee");
    }

    private static long Hours(double h) => (long)(h * 3_600_000);
}
