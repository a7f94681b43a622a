using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Reporting.Breaches;
using HelpDesk.Application.Reporting.Breaches.AcknowledgeBreach;
using HelpDesk.Application.Reporting.Breaches.GetBreaches;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Domain.Agents;
using NodaTime;

namespace HelpDesk.Application.Tests.Reporting;

/// <summary>The review list and acknowledgements on the desk's 24/7 policy: a first response not given within 4 h breaches.</summary>
public class BreachReviewTests : DeskTest
{
    private Agent _tina = null!; // lead of tier2

    private async Task<int> BreachedTicketAsync(string priority = "normal")
    {
        var number = (await _desk.OpenTicketAsync(_host, priority)).Number;
        var now = _host.Clock.GetCurrentInstant();
        _host.Clock.Reset(now + Desk.FirstResponse + Duration.FromMinutes(1));
        while (!(await _host.FireDueAsync()).IsEmpty) { }
        return number;
    }

    private async Task AddTinaAsync()
    {
        _tina = new Agent(Guid.CreateVersion7(), "tina@desk.test", "Tina", AgentRole.Lead, [_desk.Tier2.Id]);
        await _host.WithDbAsync(db => { db.Agents.Add(_tina); return db.SaveChangesAsync(); });
    }

    private Task<BreachPage> BreachesAsync(Guid asAgent, string? acknowledged = null, string? priority = null, int page = 1, int pageSize = 50) =>
        _host.QueryAsync(new GetBreaches("2026-03-02", "2026-03-02", Priority: priority, Acknowledged: acknowledged, Page: page, PageSize: pageSize), asAgent);

    private Task<BreachItem> AcknowledgeAsync(int number, Guid asAgent, string category = "staffing", string? note = "Two agents off sick", string metric = "firstResponse", int cycle = 1) =>
        _host.SendAsync(new AcknowledgeBreach(number, metric, cycle, category, note), asAgent);

    [Fact]
    public async Task Lists_breaches_newest_first_with_paging_and_filters()
    {
        var first = await BreachedTicketAsync();
        var second = await BreachedTicketAsync("urgent");
        var third = await BreachedTicketAsync();

        var page1 = await BreachesAsync(_desk.Lena.Id, pageSize: 2);
        page1.Total.Should().Be(3);
        page1.Items.Select(i => i.TicketNumber).Should().Equal(third, second);
        (await BreachesAsync(_desk.Lena.Id, page: 2, pageSize: 2)).Items.Select(i => i.TicketNumber).Should().Equal(first);
        (await BreachesAsync(_desk.Lena.Id, priority: "urgent")).Items.Select(i => i.TicketNumber).Should().Equal(second);
        (await _host.QueryAsync(new GetBreaches("2026-03-03", "2026-03-31"), _desk.Lena.Id)).Total.Should().Be(0, "nothing breached after the 2nd");
        (await _host.QueryAsync(new GetBreaches("2026-03-02", "2026-03-02", Team: "tier2"), _desk.Admin.Id)).Total.Should().Be(0);
    }

    [Fact]
    public async Task The_period_is_a_local_day_in_the_viewers_zone()
    {
        await BreachedTicketAsync(); // breached 2 March 13:00 UTC, which is 3 March 02:00 in Auckland (UTC+13)

        (await _host.QueryAsync(new GetBreaches("2026-03-03", "2026-03-03", Tz: "Pacific/Auckland"), _desk.Lena.Id)).Total.Should().Be(1);
        (await _host.QueryAsync(new GetBreaches("2026-03-02", "2026-03-02", Tz: "Pacific/Auckland"), _desk.Lena.Id)).Total.Should().Be(0);
    }

    [Fact]
    public async Task Agents_may_not_review_breaches()
    {
        await BreachedTicketAsync();

        await FluentActions.Awaiting(() => BreachesAsync(_desk.Alice.Id)).Should().ThrowAsync<ForbiddenException>();
        await FluentActions.Awaiting(() => _host.QueryAsync(new GetBreaches("bad", null), _desk.Alice.Id))
            .Should().ThrowAsync<ForbiddenException>("the role is checked before the request is validated");
    }

    [Fact]
    public async Task A_lead_sees_only_the_breaches_of_their_teams()
    {
        await BreachedTicketAsync();
        await AddTinaAsync();

        (await BreachesAsync(_tina.Id)).Total.Should().Be(0);
        (await BreachesAsync(_desk.Admin.Id)).Total.Should().Be(1);
        await FluentActions.Awaiting(() => _host.QueryAsync(new GetBreaches("2026-03-02", "2026-03-02", Team: "support"), _tina.Id))
            .Should().ThrowAsync<ForbiddenException>();
    }

    [Fact]
    public async Task Invalid_filters_name_their_field()
    {
        var failure = await FluentActions.Awaiting(() => _host.QueryAsync(
                new GetBreaches("2026-03-05", "2026-03-01", Metric: "speed", Acknowledged: "maybe", PageSize: 1000, Tz: "Mars/Olympus"), _desk.Lena.Id))
            .Should().ThrowAsync<ValidationException>();
        failure.Which.Errors.Select(e => e.PropertyName).Should().BeEquivalentTo("To", "Metric", "Acknowledged", "PageSize", "Tz");

        var unknownTeam = await FluentActions.Awaiting(() => _host.QueryAsync(new GetBreaches("2026-03-01", "2026-03-01", Team: "nobody"), _desk.Lena.Id))
            .Should().ThrowAsync<ValidationException>();
        unknownTeam.Which.Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Team");
    }

    [Fact]
    public async Task A_lead_acknowledges_a_breach_which_stays_listed_and_filterable()
    {
        var acknowledged = await BreachedTicketAsync();
        var open = await BreachedTicketAsync();
        _host.Clock.Advance(Duration.FromMinutes(5));
        var at = _host.Clock.GetCurrentInstant();

        var item = await AcknowledgeAsync(acknowledged, _desk.Lena.Id);

        item.Acknowledgement.Should().Be(new BreachAcknowledgementDto("staffing", "Two agents off sick", "Lena", at));
        (await BreachesAsync(_desk.Lena.Id)).Items.Select(i => i.TicketNumber).Should().Equal(open, acknowledged);
        (await BreachesAsync(_desk.Lena.Id, acknowledged: "true")).Items.Select(i => i.TicketNumber).Should().Equal(acknowledged);
        (await BreachesAsync(_desk.Lena.Id, acknowledged: "false")).Items.Select(i => i.TicketNumber).Should().Equal(open);
    }

    [Fact]
    public async Task Acknowledging_again_replaces_the_cause_and_records_who_and_when()
    {
        var number = await BreachedTicketAsync();
        await AcknowledgeAsync(number, _desk.Lena.Id);
        _host.Clock.Advance(Duration.FromHours(1));

        var item = await AcknowledgeAsync(number, _desk.Admin.Id, "third_party", "Carrier outage");

        item.Acknowledgement.Should().Be(new BreachAcknowledgementDto("third_party", "Carrier outage", "Admin", _host.Clock.GetCurrentInstant()));
        (await BreachesAsync(_desk.Lena.Id, acknowledged: "true")).Items.Should().ContainSingle()
            .Which.Acknowledgement!.Category.Should().Be("third_party");
    }

    [Fact]
    public async Task A_withdrawn_acknowledgement_puts_the_breach_back_among_the_unacknowledged()
    {
        var number = await BreachedTicketAsync();
        await AcknowledgeAsync(number, _desk.Lena.Id);

        var item = await _host.SendAsync(new WithdrawBreachAcknowledgement(number, "firstResponse", 1), _desk.Lena.Id);

        item.Acknowledgement.Should().BeNull();
        (await BreachesAsync(_desk.Lena.Id, acknowledged: "false")).Items.Select(i => i.TicketNumber).Should().Equal(number);
    }

    [Fact]
    public async Task Only_leads_of_the_tickets_team_and_admins_may_acknowledge()
    {
        var number = await BreachedTicketAsync();
        await AddTinaAsync();

        await FluentActions.Awaiting(() => AcknowledgeAsync(number, _desk.Alice.Id)).Should().ThrowAsync<ForbiddenException>();
        await FluentActions.Awaiting(() => AcknowledgeAsync(number, _tina.Id)).Should().ThrowAsync<ForbiddenException>();
        (await BreachesAsync(_desk.Lena.Id, acknowledged: "true")).Total.Should().Be(0);
    }

    [Fact]
    public async Task A_cycle_that_does_not_exist_or_did_not_breach_is_not_found()
    {
        var number = await BreachedTicketAsync();
        var onTime = (await _desk.OpenTicketAsync(_host)).Number;

        await FluentActions.Awaiting(() => AcknowledgeAsync(99999, _desk.Lena.Id)).Should().ThrowAsync<NotFoundException>();
        await FluentActions.Awaiting(() => AcknowledgeAsync(number, _desk.Lena.Id, cycle: 2)).Should().ThrowAsync<NotFoundException>();
        await FluentActions.Awaiting(() => AcknowledgeAsync(number, _desk.Lena.Id, metric: "nextReply")).Should().ThrowAsync<NotFoundException>();
        await FluentActions.Awaiting(() => AcknowledgeAsync(onTime, _desk.Lena.Id)).Should().ThrowAsync<NotFoundException>("its first response is still running");
    }

    [Fact]
    public async Task An_acknowledgement_needs_a_known_category_a_bounded_note_and_a_note_for_other()
    {
        var number = await BreachedTicketAsync();

        (await FluentActions.Awaiting(() => AcknowledgeAsync(number, _desk.Lena.Id, category: "bad_luck")).Should().ThrowAsync<ValidationException>())
            .Which.Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Category");
        (await FluentActions.Awaiting(() => AcknowledgeAsync(number, _desk.Lena.Id, note: new string('x', 2001))).Should().ThrowAsync<ValidationException>())
            .Which.Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Note");
        (await FluentActions.Awaiting(() => AcknowledgeAsync(number, _desk.Lena.Id, category: "other", note: " ")).Should().ThrowAsync<ValidationException>())
            .Which.Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Note");
        (await AcknowledgeAsync(number, _desk.Lena.Id, note: new string('x', 2000))).Acknowledgement!.Note.Should().HaveLength(2000);
    }
}
