using FluentValidation;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets.AddReply;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Tests.Tickets;

/// <summary>Cc on an agent's public reply: the addresses become participants, as a customer's Cc does for mail.</summary>
public sealed class ReplyCcTests() : DeskTest
{
    private Task<List<OutboxMail>> RepliesAsync(int number) =>
        _host.WithDbAsync(db => db.Set<OutboxMail>().AsNoTracking().Where(m => m.TicketNumber == number && m.Kind == "reply").OrderBy(m => m.CreatedAt).ToListAsync());

    [Fact]
    public async Task Cc_addresses_become_participants_and_are_copied_on_this_and_later_replies()
    {
        var number = (await _desk.OpenTicketAsync(_host)).Number;

        var first = await _host.SendAsync(new AddReply(number, "Looping in your colleague.", "public", null, ["Bob@Customer.test", "carol@customer.test"]), _desk.Alice.Id);
        _host.Clock.Advance(NodaTime.Duration.FromMinutes(1));
        await _host.SendAsync(new AddReply(number, "Any news, both of you?", "public", null), _desk.Alice.Id);

        first.Ticket.Participants.Should().Equal("bob@customer.test", "carol@customer.test");
        var mails = await RepliesAsync(number);
        mails.Should().HaveCount(2);
        mails.Should().OnlyContain(m => m.To == "carol@customer.test" && m.Cc == "bob@customer.test", "the requester is never copied to herself; reply-all keeps Bob");
        var stored = await Desk.TicketAsync(_host, number);
        stored.History.Should().ContainSingle(h => h.Kind == TicketChangeKind.ParticipantAdded && h.To == "bob@customer.test" && h.ActorId == _desk.Alice.Id);
    }

    [Fact]
    public async Task Rejects_cc_on_an_internal_note_and_addresses_that_are_not_addresses()
    {
        var number = (await _desk.OpenTicketAsync(_host)).Number;

        var note = await FluentActions.Awaiting(() => _host.SendAsync(new AddReply(number, "Note", "internal", null, ["bob@customer.test"]), _desk.Alice.Id))
            .Should().ThrowAsync<ValidationException>();
        note.Which.Errors.Should().Contain(e => e.PropertyName == "Cc");
        var bad = await FluentActions.Awaiting(() => _host.SendAsync(new AddReply(number, "Hi", "public", null, ["not an address"]), _desk.Alice.Id))
            .Should().ThrowAsync<ValidationException>();
        bad.Which.Errors.Should().Contain(e => e.PropertyName.StartsWith("Cc"));
        (await Desk.TicketAsync(_host, number)).Participants.Should().BeEmpty();
    }
}
