using HelpDesk.Application.Reporting.Projection;
using HelpDesk.Application.Reporting;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets.AddReply;
using HelpDesk.Application.Tickets.AssignTicket;
using HelpDesk.Application.Tickets.ChangeStatus;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Application.Tests.Reporting;

public sealed class ReportProjectionTests : DeskTest
{
    [Fact]
    public async Task Reporting_rows_follow_the_ticket_through_breach_reply_and_solve()
    {
        var ticket = await _desk.OpenTicketAsync(_host);
        var opened = await RowAsync(ticket.Number);
        opened.FirstResponseAt.Should().BeNull();
        opened.Cycles.Should().ContainSingle(c => c.Metric == SlaMetric.FirstResponse).Which.State.Should().Be(CycleState.Running);

        await _host.SendAsync(new AssignTicket(ticket.Number, _desk.Alice.Email));
        _host.Clock.Reset(TestHost.Start + Desk.FirstResponse + Duration.FromMinutes(1));
        await _host.FireDueAsync();

        var breached = (await RowAsync(ticket.Number)).Cycles.Single(c => c.Metric == SlaMetric.FirstResponse);
        breached.State.Should().Be(CycleState.Breached, "the due-queue's breach is projected when it fires");
        breached.BreachedAt.Should().Be(TestHost.Start + Desk.FirstResponse);
        breached.AttributedAgentId.Should().Be(_desk.Alice.Id, "Alice held the ticket for the whole first response target");
        BreachExplanation.Parse(breached.Explanation).Shares.Should().ContainSingle()
            .Which.Should().Be(new BreachExplanation.Share(_desk.Support.Id, _desk.Alice.Id, (long)Desk.FirstResponse.TotalMilliseconds));

        _host.Clock.Reset(TestHost.Start + Duration.FromHours(5));
        await _host.SendAsync(new AddReply(ticket.Number, "Put it out with sand.", "public", null), _desk.Alice.Id);
        _host.Clock.Reset(TestHost.Start + Duration.FromHours(6));
        await _host.SendAsync(new ChangeStatus(ticket.Number, "solved"), _desk.Alice.Id);

        var solved = await RowAsync(ticket.Number);
        solved.FirstResponseAt.Should().Be(TestHost.Start + Duration.FromHours(5));
        solved.FirstResponseBusinessMs.Should().Be((long)Duration.FromHours(5).TotalMilliseconds, "the calendar is 24/7");
        solved.FirstResponseCalendarMs.Should().Be((long)Duration.FromHours(5).TotalMilliseconds);
        solved.SolvedAt.Should().Be(TestHost.Start + Duration.FromHours(6));
        solved.SolvedById.Should().Be(_desk.Alice.Id);
        solved.FirstContactResolution.Should().BeTrue("one public reply, never reopened");
        solved.ResolutionCalendarMs.Should().Be((long)Duration.FromHours(6).TotalMilliseconds, "no resolution target: the calendar time comes from the history");
        solved.ResolutionBusinessMs.Should().BeNull("the desk's policy has no resolution target");
        solved.Breaches.Should().Be(1);
        solved.Status.Should().Be(TicketStatus.Solved);
    }

    [Fact]
    public async Task A_reopen_clears_the_solve_and_rules_out_first_contact_resolution()
    {
        var ticket = await _desk.OpenTicketAsync(_host);
        await _host.SendAsync(new AddReply(ticket.Number, "Done.", "public", null), _desk.Alice.Id);
        await _host.SendAsync(new ChangeStatus(ticket.Number, "solved"), _desk.Alice.Id);
        _host.Clock.Advance(Duration.FromHours(1));
        await Desk.AddCustomerMessageAsync(_host, ticket.Number);

        var reopened = await RowAsync(ticket.Number);
        reopened.SolvedAt.Should().BeNull();
        reopened.Reopened.Should().BeTrue();

        await _host.SendAsync(new ChangeStatus(ticket.Number, "solved"), _desk.Alice.Id);
        var solvedAgain = await RowAsync(ticket.Number);
        solvedAgain.SolvedAt.Should().Be(_host.Clock.GetCurrentInstant());
        solvedAgain.FirstContactResolution.Should().BeFalse("a reopened ticket is never a first contact resolution");
    }

    [Fact]
    public async Task A_rebuild_reproduces_the_rows_every_change_wrote()
    {
        var first = await _desk.OpenTicketAsync(_host);
        var second = await _desk.OpenTicketAsync(_host, "high");
        await _host.SendAsync(new AssignTicket(first.Number, _desk.Alice.Email));
        _host.Clock.Advance(Duration.FromHours(5));
        await _host.FireDueAsync();
        await _host.SendAsync(new AddReply(second.Number, "On it.", "public", null), _desk.Lena.Id);
        await _host.SendAsync(new ChangeStatus(second.Number, "pending"), _desk.Lena.Id);
        var incremental = await AllRowsAsync();

        await _host.WithDbAsync(db => db.Set<ReportTicket>().ExecuteDeleteAsync());
        var projected = await _host.WithScopeAsync((sp, _) => sp.GetRequiredService<ReportRebuild>().RunAsync(null, CancellationToken.None));

        projected.Should().Be(2);
        (await AllRowsAsync()).Should().BeEquivalentTo(incremental);
    }

    private Task<ReportTicket> RowAsync(int number) =>
        _host.WithDbAsync(db => db.Set<ReportTicket>().AsNoTracking().Include(r => r.Cycles).SingleAsync(r => r.Number == number));

    private Task<List<ReportTicket>> AllRowsAsync() =>
        _host.WithDbAsync(db => db.Set<ReportTicket>().AsNoTracking().Include(r => r.Cycles).OrderBy(r => r.Number).ToListAsync());
}
