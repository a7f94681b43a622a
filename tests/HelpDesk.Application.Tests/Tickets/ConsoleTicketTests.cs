using FluentValidation;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Search.SearchTickets;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets.CreateTicket;
using HelpDesk.Application.Tickets.FindCustomers;
using HelpDesk.Application.Tickets.GetQueue;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Tests.Tickets;

/// <summary>A ticket opened by an agent for a caller: the channel it came by, an optional first reply, finding the requester.</summary>
public sealed class ConsoleTicketTests() : DeskTest
{
    private Task<Application.Tickets.TicketDto> OpenAsync(string? channel, FirstReplyInput? firstReply = null, string email = "carol@customer.test",
        string name = "Carol Smith") =>
        _host.SendAsync(new CreateTicket("Printer on fire", "Called: it is on fire.", new RequesterInput(email, name), "high", "support",
            channel, firstReply), _desk.Alice.Id);

    [Fact]
    public async Task Records_the_channel_and_filters_the_queue_and_search_by_it()
    {
        var phone = await OpenAsync("phone");
        var web = await OpenAsync("web");
        var api = await OpenAsync(null);

        phone.Channel.Should().Be("phone");
        web.Channel.Should().Be("web");
        api.Channel.Should().Be("api", "an integration that names no channel");
        (await _host.QueryAsync(new GetQueue(null, null, null, null, Channel: "phone"), _desk.Alice.Id)).Items.Select(i => i.Number).Should().Equal(phone.Number);
        (await _host.QueryAsync(new SearchTickets("printer", Channel: "web"), _desk.Alice.Id)).Items.Select(i => i.Number).Should().Equal(web.Number);
    }

    [Fact]
    public async Task Rejects_an_unknown_channel_naming_the_field()
    {
        var refused = await FluentActions.Awaiting(() => OpenAsync("pigeon")).Should().ThrowAsync<ValidationException>();
        refused.Which.Errors.Should().Contain(e => e.PropertyName == "Channel" && e.ErrorMessage.Contains("email, phone, web, api"));
        var queue = await FluentActions.Awaiting(() => _host.QueryAsync(new GetQueue(null, null, null, null, Channel: "pigeon"), _desk.Alice.Id))
            .Should().ThrowAsync<ValidationException>();
        queue.Which.Errors.Should().Contain(e => e.PropertyName == "Channel");
    }

    [Fact]
    public async Task A_public_first_reply_answers_the_caller_by_mail_and_stops_the_first_response_clock()
    {
        var ticket = await OpenAsync("phone", new FirstReplyInput("As discussed: unplug it."));

        ticket.SlaPolicy.Should().Be("standard", "the SLA applies as for mail");
        ticket.SlaDueAt.Should().BeNull("the first response was given on the phone");
        var stored = await Desk.TicketAsync(_host, ticket.Number);
        stored.History.OrderBy(h => h.Sequence).Select(h => h.Kind).Should().ContainInOrder(TicketChangeKind.Created, TicketChangeKind.PublicAgentReply);
        stored.Articles.Should().Contain(a => a.BodyText == "As discussed: unplug it." && a.AuthorId == _desk.Alice.Id);
        (await _host.WithDbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.TicketNumber == ticket.Number && m.Kind == "reply"))).Should().Be(1);
    }

    [Fact]
    public async Task An_internal_first_reply_keeps_the_first_response_clock_running()
    {
        var ticket = await OpenAsync("phone", new FirstReplyInput("Caller sounded upset.", "internal"));

        ticket.SlaDueAt.Should().Be(TestHost.Start + Desk.FirstResponse);
        (await Desk.TicketAsync(_host, ticket.Number)).History.Should().Contain(h => h.Kind == TicketChangeKind.InternalNote);
    }

    [Fact]
    public async Task Rejects_an_empty_first_reply_naming_its_field()
    {
        var refused = await FluentActions.Awaiting(() => OpenAsync("phone", new FirstReplyInput(""))).Should().ThrowAsync<ValidationException>();
        refused.Which.Errors.Should().Contain(e => e.PropertyName == "firstReply.body");
        (await _host.WithDbAsync(db => db.Tickets.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task Finds_requesters_by_name_or_address_only_in_the_agents_teams()
    {
        await OpenAsync("phone");
        await OpenAsync("phone", email: "carl@other.test", name: "Carl Smith");

        (await _host.QueryAsync(new FindCustomers("carol"), _desk.Alice.Id)).Select(c => c.Email).Should().Equal("carol@customer.test");
        (await _host.QueryAsync(new FindCustomers("smith"), _desk.Alice.Id)).Should().HaveCount(2);
        (await _host.QueryAsync(new FindCustomers("car"), _desk.Tom.Id)).Should().BeEmpty("tier2 has no ticket of theirs");
    }
}
