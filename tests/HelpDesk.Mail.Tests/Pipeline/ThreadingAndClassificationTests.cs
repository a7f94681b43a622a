using HelpDesk.Application.Mail;
using HelpDesk.Application.Tickets.ChangeStatus;
using HelpDesk.Application.Tickets.GetArticles;
using HelpDesk.Application.Tickets.GetTicket;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Mail.Tests.Pipeline;

/// <summary>Threading rules and classification through the real pipeline (the mailgate's code path) on SQLite.</summary>
public sealed class ThreadingAndClassificationTests(DeskFixture fixture) : IClassFixture<DeskFixture>
{
    private readonly MailDeskFactory _desk = fixture.Desk;

    // Every ticket has a requester of its own: the desk is shared by the class, and rate limits and bounces are per address.
    private async Task<(int Number, string FirstId, string AckId, string From)> NewTicketAsync(string? from = null)
    {
        from ??= $"maria.{Guid.NewGuid():N}"[..14] + "@example.test";
        var id = Mime.NewId();
        var outcome = await _desk.IngestAsync(Mime.Message(from: from, messageId: id));
        outcome.Outcome.Should().Be(MailOutcome.Created);
        var ack = await _desk.DbAsync(db => db.Set<OutboxMail>().SingleAsync(m => m.TicketNumber == outcome.Ticket && m.Kind == "acknowledgement"));
        return (outcome.Ticket!.Value, id.Trim('<', '>'), ack.MessageId, from);
    }

    private Task<IReadOnlyList<ArticleDto>> ArticlesAsync(int number) => _desk.SendAsync(new GetArticles(number));

    [Fact]
    public async Task New_mail_opens_a_ticket_and_queues_an_acknowledgement_with_the_ticket_tag()
    {
        var (number, _, ackId, from) = await NewTicketAsync();
        var ack = await _desk.DbAsync(db => db.Set<OutboxMail>().SingleAsync(m => m.MessageId == ackId));
        ack.Subject.Should().Contain($"[#{number}]");
        ack.IsAutomatic.Should().BeTrue();
        ack.To.Should().Be(from);
        (await ArticlesAsync(number)).Single().ThreadedBy.Should().Be(MailThreading.NewTicket);
    }

    [Fact]
    public async Task A_reply_carrying_our_signed_token_threads_by_it()
    {
        var (number, _, ackId, from) = await NewTicketAsync();
        var outcome = await _desk.IngestAsync(Mime.Message(subject: "Re: something else entirely", inReplyTo: $"<{ackId}>"));
        outcome.Should().Match<MailOutcome>(o => o.Outcome == MailOutcome.Appended && o.Ticket == number);
        (await ArticlesAsync(number)).Last().ThreadedBy.Should().Be(MailThreading.SignedToken);
    }

    [Fact]
    public async Task A_forged_token_is_not_trusted()
    {
        var (number, _, ackId, from) = await NewTicketAsync();
        var forged = ackId[..(ackId.IndexOf('@') - 20)] + new string('0', 20) + ackId[ackId.IndexOf('@')..];
        var outcome = await _desk.IngestAsync(Mime.Message(from: "mallory@evil.test", subject: "Re: hello", inReplyTo: $"<{forged}>"));
        outcome.Outcome.Should().Be(MailOutcome.Created);
        outcome.Ticket.Should().NotBe(number);
    }

    [Fact]
    public async Task References_are_tried_right_to_left()
    {
        var (first, firstId, _, _) = await NewTicketAsync();
        var (second, secondId, _, _) = await NewTicketAsync();
        var outcome = await _desk.IngestAsync(Mime.Message(subject: "Re: x", references: $"<{firstId}> <{secondId}> <unknown@nowhere.test>"));
        outcome.Ticket.Should().Be(second);
        (await ArticlesAsync(second)).Last().ThreadedBy.Should().Be(MailThreading.References);
        outcome.Ticket.Should().NotBe(first);
    }

    [Theory]
    [InlineData("Re: Cannot log in [#{0}]")]
    [InlineData("Fwd: Cannot log in [#{0}]")]
    [InlineData("AW: WG: [#{0}] Cannot log in")]
    [InlineData("RE: [#99999999] and [#{0}]")]
    public async Task The_subject_tag_threads_mail_from_the_requester(string subjectFormat)
    {
        var (number, _, _, from) = await NewTicketAsync();
        var outcome = await _desk.IngestAsync(Mime.Message(from: from, subject: string.Format(subjectFormat, number)));
        outcome.Should().Match<MailOutcome>(o => o.Outcome == MailOutcome.Appended && o.Ticket == number);
        (await ArticlesAsync(number)).Last().ThreadedBy.Should().Be(MailThreading.SubjectTag);
    }

    [Fact]
    public async Task The_subject_tag_from_a_stranger_opens_a_new_ticket_linked_as_possibly_related()
    {
        var (number, _, _, from) = await NewTicketAsync();
        var outcome = await _desk.IngestAsync(Mime.Message(from: "mallory@evil.test", subject: $"Re: [#{number}] please add me"));
        outcome.Outcome.Should().Be(MailOutcome.Created);
        outcome.Ticket.Should().NotBe(number);
        var article = (await ArticlesAsync(outcome.Ticket!.Value)).Single();
        article.Mail!.PossiblyRelatedTo.Should().Be(number);
        (await ArticlesAsync(number)).Should().HaveCount(1);
    }

    [Fact]
    public async Task A_cc_d_address_becomes_a_participant_who_may_thread_by_tag()
    {
        var outcome = await _desk.IngestAsync(Mime.Message(cc: "Bob <bob@example.test>, support@helpdesk.test"));
        var ticket = await _desk.SendAsync(new GetTicket(outcome.Ticket!.Value));
        ticket.Participants.Should().Equal("bob@example.test");
        var reply = await _desk.IngestAsync(Mime.Message(from: "bob@example.test", subject: $"Re: [#{ticket.Number}]"));
        reply.Outcome.Should().Be(MailOutcome.Appended);
    }

    [Fact]
    public async Task Subject_text_alone_never_threads()
    {
        var (_, _, _, from) = await NewTicketAsync();
        var outcome = await _desk.IngestAsync(Mime.Message(from: from, subject: "Re: Cannot log in"));
        outcome.Outcome.Should().Be(MailOutcome.Created);
    }

    [Theory]
    [InlineData("Auto-Submitted: auto-replied")] // Gmail vacation responder
    [InlineData("Auto-Submitted: auto-replied (zimbra; vacation)")] // Zimbra
    [InlineData("X-MS-Exchange-Inbox-Rules-Loop: maria@example.test")] // Exchange inbox rule
    [InlineData("X-Autoreply: yes")]
    [InlineData("X-Autorespond: vacation")]
    [InlineData("X-Autogenerated: Reply")]
    [InlineData("Precedence: bulk")]
    [InlineData("Precedence: auto_reply")]
    [InlineData("Return-Path: <>")]
    [InlineData("AUTO-SUBMITTED:  Auto-Generated ")]
    public async Task Out_of_office_replies_are_attached_flagged_and_never_reopen(string header)
    {
        var (number, _, ackId, from) = await NewTicketAsync();
        await _desk.SendAsync(new ChangeStatus(number, "solved"));
        var outcome = await _desk.IngestAsync(Mime.Message(subject: "Out of office", inReplyTo: $"<{ackId}>", headers: header));
        outcome.Should().Match<MailOutcome>(o => o.Outcome == MailOutcome.AutoReply && o.Ticket == number);
        (await _desk.SendAsync(new GetTicket(number))).Status.Should().Be("solved");
        (await ArticlesAsync(number)).Last().Kind.Should().Be("auto_reply");
        var automaticMail = await _desk.DbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.TicketNumber == number));
        automaticMail.Should().Be(1, "only the first message's acknowledgement, nothing for the auto-reply");
    }

    [Fact]
    public async Task A_real_customer_reply_reopens_a_solved_ticket()
    {
        var (number, _, ackId, from) = await NewTicketAsync();
        await _desk.SendAsync(new ChangeStatus(number, "solved"));
        var outcome = await _desk.IngestAsync(Mime.Message(subject: "Re: still broken", inReplyTo: $"<{ackId}>"));
        outcome.Outcome.Should().Be(MailOutcome.Appended);
        (await _desk.SendAsync(new GetTicket(number))).Status.Should().Be("open");
    }

    [Fact]
    public async Task A_reply_to_a_closed_ticket_opens_a_linked_follow_up()
    {
        var (number, _, ackId, from) = await NewTicketAsync();
        await _desk.SendAsync(new ChangeStatus(number, "closed"));
        var outcome = await _desk.IngestAsync(Mime.Message(subject: "Re: again", inReplyTo: $"<{ackId}>"));
        outcome.Outcome.Should().Be(MailOutcome.Created);
        (await _desk.SendAsync(new GetTicket(outcome.Ticket!.Value))).FollowUpOf.Should().Be(number);
    }

    [Fact]
    public async Task X_Auto_Response_Suppress_alone_is_not_an_auto_reply_but_gets_no_acknowledgement()
    {
        var outcome = await _desk.IngestAsync(Mime.Message(headers: "X-Auto-Response-Suppress: All"));
        outcome.Outcome.Should().Be(MailOutcome.Created);
        (await _desk.DbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.TicketNumber == outcome.Ticket))).Should().Be(0);
    }

    [Theory]
    [InlineData("List-Id: <users.lists.example.test>")]
    [InlineData("List-Unsubscribe: <mailto:leave@lists.example.test>")]
    public async Task List_mail_opens_a_ticket_but_is_never_answered_automatically(string header)
    {
        var outcome = await _desk.IngestAsync(Mime.Message(from: "list@lists.example.test", headers: header));
        outcome.Outcome.Should().Be(MailOutcome.Created);
        (await _desk.DbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.TicketNumber == outcome.Ticket))).Should().Be(0);
    }

    [Theory]
    [InlineData("noreply@shop.example.test")]
    [InlineData("MAILER-DAEMON@mx.example.test")]
    [InlineData("postmaster@example.test")]
    [InlineData("support@helpdesk.test")]
    public async Task Some_senders_never_get_an_automatic_answer(string sender)
    {
        var outcome = await _desk.IngestAsync(Mime.Message(from: sender));
        outcome.Outcome.Should().Be(MailOutcome.Created);
        (await _desk.DbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.TicketNumber == outcome.Ticket))).Should().Be(0);
    }

    [Fact]
    public async Task Automatic_answers_are_rate_limited_per_recipient()
    {
        for (var i = 0; i < 7; i++) await _desk.IngestAsync(Mime.Message(from: "flood@example.test", subject: $"Request {i}"));
        (await _desk.DbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.To == "flood@example.test"))).Should().Be(5);
    }

    [Theory]
    [InlineData("5.1.1", true)]
    [InlineData("4.2.2", false)]
    public async Task A_bounce_is_an_internal_note_on_the_original_ticket(string status, bool permanent)
    {
        var (number, _, ackId, from) = await NewTicketAsync();
        var outcome = await _desk.IngestAsync(Mime.Dsn(ackId, from, status));
        outcome.Should().Match<MailOutcome>(o => o.Outcome == MailOutcome.Bounce && o.Ticket == number);
        var note = (await ArticlesAsync(number)).Last();
        note.Kind.Should().Be("bounce");
        note.Visibility.Should().Be("internal");
        note.BodyText.Should().Contain(status);
        (await _desk.SendAsync(new GetTicket(number))).Status.Should().Be("new");
        var undeliverable = await _desk.DbAsync(db => db.Set<UndeliverableAddress>().AnyAsync(u => u.Address == from));
        undeliverable.Should().Be(permanent);
    }

    [Fact]
    public async Task Our_own_message_coming_back_is_dropped_as_a_loop()
    {
        var (number, _, ackId, from) = await NewTicketAsync();
        var outcome = await _desk.IngestAsync(Mime.Message(from: MailDeskFactory.SystemAddress, messageId: $"<{ackId}>", subject: $"Re: Cannot log in [#{number}]"));
        outcome.Outcome.Should().Be(MailOutcome.DroppedLoop);
        (await ArticlesAsync(number)).Should().HaveCount(1);
    }

    [Fact]
    public async Task The_same_message_twice_is_a_duplicate_without_a_second_article()
    {
        var raw = Mime.Message();
        var first = await _desk.IngestAsync(raw);
        var second = await _desk.IngestAsync(raw);
        second.Should().Be(first with { Outcome = MailOutcome.Duplicate, Reason = second.Reason });
        (await ArticlesAsync(first.Ticket!.Value)).Should().HaveCount(1);
    }

    [Fact]
    public async Task A_message_without_Message_ID_gets_one_from_its_SHA_256_and_is_deduplicated()
    {
        var raw = Mime.Message(messageId: "");
        var first = await _desk.IngestAsync(raw);
        first.Outcome.Should().Be(MailOutcome.Created);
        (await _desk.IngestAsync(raw)).Outcome.Should().Be(MailOutcome.Duplicate);
        var stored = await _desk.DbAsync(db => db.Set<InboundMail>().SingleAsync(m => m.TicketNumber == first.Ticket));
        stored.MessageId.Should().Be($"{stored.Sha256}@sha256.invalid");
    }

    [Fact]
    public async Task Message_ids_are_normalised_but_keep_their_case()
    {
        var first = await _desk.IngestAsync(Mime.Message(messageId: "<  AbC.123@Example.Test >"));
        var stored = await _desk.DbAsync(db => db.Set<InboundMail>().SingleAsync(m => m.TicketNumber == first.Ticket));
        stored.MessageId.Should().Be("AbC.123@Example.Test");
        (await _desk.IngestAsync(Mime.Message(messageId: "<AbC.123@Example.Test>", body: "other bytes"))).Outcome.Should().Be(MailOutcome.Duplicate);
    }
    [Fact]
    public async Task Mail_from_an_agent_into_an_open_ticket_is_their_internal_note_and_reopens_nothing()
    {
        var (number, _, ackId, customer) = await NewTicketAsync();
        await _desk.SendAsync(new ChangeStatus(number, "pending"));
        var agent = $"agent.{Guid.NewGuid():N}"[..14] + "@example.test";
        await _desk.AgentClientAsync(agent, "agent", "support");

        var outcome = await _desk.IngestAsync(Mime.Message(from: agent, subject: $"Re: Cannot log in [#{number}]", inReplyTo: $"<{ackId}>",
            body: "Checked the logs: locked by the password policy."));

        outcome.Outcome.Should().Be(MailOutcome.Appended);
        outcome.Ticket.Should().Be(number);
        var note = (await ArticlesAsync(number)).Single(a => a.Id == outcome.Article);
        (note.Kind, note.Visibility, note.AuthorType, note.AuthorEmail).Should().Be(("note", "internal", "agent", agent));
        note.Mail!.Notes.Should().Contain("not sent to the customer");
        (await _desk.SendAsync(new GetTicket(number))).Status.Should().Be("pending", "an agent's mail is not the customer answering");
        (await _desk.DbAsync(db => db.Customers.AnyAsync(c => c.Email == agent))).Should().BeFalse("an agent never becomes a customer by writing in");
        (await _desk.DbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.TicketNumber == number && m.To == customer))).Should().Be(1, "only the acknowledgement went to the customer");
    }
}
