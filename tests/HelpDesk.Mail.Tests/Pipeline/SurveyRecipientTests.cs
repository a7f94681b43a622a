using System.Net.Http.Json;
using HelpDesk.Application.Mail;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Mail.Tests.Pipeline;

/// <summary>Who gets no survey, with tickets and bounces that came in through the real mail pipeline.</summary>
public sealed class SurveyRecipientTests : IAsyncLifetime
{
    private readonly MailDeskFactory _desk = new(new Dictionary<string, string?> { ["HelpDesk:PublicBaseUrl"] = "https://desk.example.test" });
    private HttpClient _agent = null!;

    public async Task InitializeAsync() => _agent = await _desk.AgentClientAsync("agent@example.test", "agent", "support");

    public Task DisposeAsync()
    {
        _desk.Dispose();
        return Task.CompletedTask;
    }

    private async Task SolveAsync(int number) =>
        (await _agent.PostAsJsonAsync($"/api/v1/tickets/{number}/status", new { status = "solved" })).EnsureSuccessStatusCode();

    private Task<int> SurveysAsync(int number) => _desk.DbAsync(db => db.Surveys.CountAsync(s => s.TicketNumber == number));

    [Fact]
    public async Task A_requester_whose_address_bounced_permanently_gets_no_survey()
    {
        var opened = await _desk.IngestAsync(Mime.Message(from: "gone@example.test", subject: "Where is my order?"));
        var number = opened.Ticket!.Value;
        var ack = await _desk.DbAsync(db => db.Set<OutboxMail>().SingleAsync(m => m.TicketNumber == number && m.Kind == "acknowledgement"));
        (await _desk.IngestAsync(Mime.Dsn($"<{ack.MessageId}>", "gone@example.test", "5.1.1"))).Outcome.Should().Be(MailOutcome.Bounce);

        await SolveAsync(number);

        (await SurveysAsync(number)).Should().Be(0);
        (await _desk.DbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.TicketNumber == number && m.Kind == "survey"))).Should().Be(0);
    }

    [Fact]
    public async Task A_requester_who_only_wrote_through_a_mailing_list_gets_no_survey()
    {
        var opened = await _desk.IngestAsync(Mime.Message(from: "member@example.test", subject: "List question", headers: ["List-Id: <users.lists.example.test>"]));
        var number = opened.Ticket!.Value;

        await SolveAsync(number);

        (await SurveysAsync(number)).Should().Be(0);
    }

    [Fact]
    public async Task An_out_of_office_reply_after_a_real_message_does_not_stop_the_survey_and_does_not_reopen()
    {
        var firstId = Mime.NewId();
        var number = (await _desk.IngestAsync(Mime.Message(from: "away@example.test", subject: "VPN down", messageId: firstId))).Ticket!.Value;
        await SolveAsync(number);
        (await SurveysAsync(number)).Should().Be(1);

        // The customer's out-of-office answers the survey: attached, no reopen, so no second solve and no second survey.
        var survey = await _desk.DbAsync(db => db.Set<OutboxMail>().SingleAsync(m => m.TicketNumber == number && m.Kind == "survey"));
        var ooo = await _desk.IngestAsync(Mime.Message(from: "away@example.test", subject: "Out of office: " + survey.Subject,
            inReplyTo: $"<{survey.MessageId}>", headers: ["Auto-Submitted: auto-replied"]));
        ooo.Outcome.Should().Be(MailOutcome.AutoReply);
        await SolveAsync(number);
        (await SurveysAsync(number)).Should().Be(1);
    }

    [Fact]
    public async Task A_customer_reply_to_the_survey_reopens_the_ticket_and_the_next_solve_asks_again()
    {
        var number = (await _desk.IngestAsync(Mime.Message(from: "again@example.test", subject: "Printer jam"))).Ticket!.Value;
        await SolveAsync(number);
        var survey = await _desk.DbAsync(db => db.Set<OutboxMail>().SingleAsync(m => m.TicketNumber == number && m.Kind == "survey"));

        var reply = await _desk.IngestAsync(Mime.Message(from: "again@example.test", subject: "Re: " + survey.Subject, inReplyTo: $"<{survey.MessageId}>", body: "Still jammed."));
        reply.Outcome.Should().Be(MailOutcome.Appended);
        reply.Ticket.Should().Be(number);
        await SolveAsync(number);

        (await SurveysAsync(number)).Should().Be(2);
    }
}
