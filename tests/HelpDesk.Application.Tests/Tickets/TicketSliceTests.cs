using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets;
using HelpDesk.Application.Tickets.AddReply;
using HelpDesk.Application.Tickets.AssignTicket;
using HelpDesk.Application.Tickets.ClaimTicket;
using HelpDesk.Application.Tickets.CreateTicket;
using HelpDesk.Application.Tickets.GetQueue;
using HelpDesk.Application.Tickets.GetTicket;
using HelpDesk.Domain.Common;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tests.Tickets;

/// <summary>Ticket use cases through the real mediator pipeline on a SQLite file with a fake clock.</summary>
public sealed class TicketSliceTests() : DeskTest
{
    [Fact]
    public async Task Creating_a_ticket_applies_the_policy_and_schedules_its_first_warning()
    {
        var ticket = await _desk.OpenTicketAsync(_host);

        ticket.SlaPolicy.Should().Be("standard");
        ticket.SlaDueAt.Should().Be(TestHost.Start + Desk.FirstResponse);
        var stored = await Desk.TicketAsync(_host, ticket.Number);
        stored.SlaNextAlertAt.Should().Be(TestHost.Start + Desk.FirstResponse * 0.75);
    }

    [Fact]
    public async Task A_ticket_loaded_for_a_change_brings_its_history_but_not_its_thread()
    {
        var number = (await _desk.OpenTicketAsync(_host)).Number;

        var (history, articlesLoaded, articles) = await _host.WithDbAsync(async db =>
        {
            var ticket = await db.LoadForChangeAsync(number, CancellationToken.None);
            return (ticket.History.Count, db.Entry(ticket).Collection(t => t.Articles).IsLoaded, ticket.Articles.Count);
        });

        history.Should().BeGreaterThan(0, "the SLA and the rules read the ledger");
        articlesLoaded.Should().BeFalse("no rule reads the article bodies");
        articles.Should().Be(0);
        (await _host.WithDbAsync(db => db.Articles.CountAsync(a => db.Tickets.Any(t => t.Id == a.TicketId && t.Number == number)))).Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Invalid_commands_are_stopped_by_the_validation_behavior_naming_the_field()
    {
        var act = () => _host.SendAsync(new CreateTicket("Subject", "Body", new RequesterInput("nope", null), "normal", "support"));

        (await act.Should().ThrowAsync<ValidationException>()).Which.Errors.Select(e => e.PropertyName).Should().Contain("requester.email");
        (await _host.WithDbAsync(db => db.Tickets.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task Of_two_concurrent_claims_on_two_nodes_exactly_one_wins()
    {
        for (var round = 0; round < 5; round++)
        {
            var number = (await _desk.OpenTicketAsync(_host)).Number;
            await using var nodeA = TestHost.OnSameDatabase(_host);
            await using var nodeB = TestHost.OnSameDatabase(_host);

            var claims = new[] { Claim(nodeA, number, _desk.Alice.Id), Claim(nodeB, number, _desk.Lena.Id) };
            var outcomes = await Task.WhenAll(claims);

            outcomes.Count(o => o is null).Should().Be(1, "exactly one claim wins");
            outcomes.Single(o => o is not null).Should().BeAssignableTo<Exception>()
                .Which.Should().Match(e => e is ConcurrencyConflict || e is DbUpdateConcurrencyException);
            var ticket = await Desk.TicketAsync(_host, number);
            new Guid?[] { _desk.Alice.Id, _desk.Lena.Id }.Should().Contain(ticket.AssigneeId);
            ticket.History.Count(h => h.Kind == Domain.Tickets.TicketChangeKind.Assigned).Should().Be(1);
        }
    }

    private static async Task<Exception?> Claim(TestHost node, int number, Guid agent)
    {
        try
        {
            await node.SendAsync(new ClaimTicket(number), agent);
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    [Fact]
    public async Task A_reply_written_before_a_colleagues_public_reply_is_refused_as_stale()
    {
        var ticket = await _desk.OpenTicketAsync(_host);
        await _host.SendAsync(new AddReply(ticket.Number, "Lena answers", "public", ticket.Version), _desk.Lena.Id);

        var act = () => _host.SendAsync(new AddReply(ticket.Number, "Alice's stale answer", "public", ticket.Version), _desk.Alice.Id);

        (await act.Should().ThrowAsync<ConcurrencyConflict>()).Which.Code.Should().Be("reply.stale");
        var stored = await Desk.TicketAsync(_host, ticket.Number);
        stored.Articles.Should().NotContain(a => a.BodyText == "Alice's stale answer");
    }

    [Fact]
    public async Task A_public_reply_stops_the_first_response_clock_and_the_next_alert_moves_on()
    {
        var ticket = await _desk.OpenTicketAsync(_host);
        _host.Clock.Advance(Duration.FromHours(1));

        var reply = await _host.SendAsync(new AddReply(ticket.Number, "On it", "public", null), _desk.Alice.Id);

        reply.Ticket.SlaDueAt.Should().BeNull("no clock with a target is running after the first response");
        (await Desk.TicketAsync(_host, ticket.Number)).SlaNextAlertAt.Should().BeNull();
    }

    [Fact]
    public async Task An_agent_of_another_team_is_told_the_ticket_does_not_exist()
    {
        var ticket = await _desk.OpenTicketAsync(_host);

        var act = () => _host.QueryAsync(new GetTicket(ticket.Number), _desk.Tom.Id);

        await act.Should().ThrowAsync<NotFoundException>();
        (await _host.QueryAsync(new GetQueue(null, null, null, null), _desk.Tom.Id)).Total.Should().Be(0);
    }

    [Fact]
    public async Task Assigning_outside_the_team_is_refused_by_the_aggregate()
    {
        var ticket = await _desk.OpenTicketAsync(_host);

        // As an admin, who may know every agent: to Alice, an agent of another team looks unknown (LeastVisibilityTests).
        var act = () => _host.SendAsync(new AssignTicket(ticket.Number, _desk.Tom.Email), _desk.Admin.Id);

        (await act.Should().ThrowAsync<DomainRuleViolation>()).Which.Code.Should().Be("assignment.agent_not_in_team");
    }

    [Fact]
    public async Task Tickets_opened_at_once_for_one_new_customer_all_succeed_and_share_one_customer()
    {
        var tickets = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => _host.SendAsync(
            new CreateTicket($"Question {i}", "Same sender, several tabs.", new RequesterInput("new.person@customer.test", "New Person"), "normal", "support"))));

        tickets.Select(t => t.Number).Should().OnlyHaveUniqueItems().And.HaveCount(6);
        (await _host.WithDbAsync(db => db.Customers.CountAsync(c => c.Email == "new.person@customer.test"))).Should().Be(1);
    }
}
