using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Surveys;
using HelpDesk.Application.Surveys.AnswerSurvey;
using HelpDesk.Application.Surveys.GetSurvey;
using HelpDesk.Application.Surveys.SaveSurveyFeedback;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets.ChangeStatus;
using HelpDesk.Application.Tickets.CreateTicket;
using HelpDesk.Domain.Surveys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Application.Tests.Surveys;

/// <summary>Surveys on solve and their links, through the real pipeline on SQLite with a fake clock.</summary>
public sealed class SurveySliceTests() : DeskTest(configure: s =>
{
    s.Configure<MailOptions>(o => o.PublicBaseUrl = BaseUrl);
    s.Configure<SurveyOptions>(o => o.AskNps = true);
})
{
    private const string BaseUrl = "https://desk.example.test/";

    private async Task<int> OpenAsync(string requester = "carol@customer.test") =>
        (await _host.SendAsync(new CreateTicket("Printer on fire", "It is really on fire.", new RequesterInput(requester, "Carol"), "normal", "support"))).Number;

    private Task SetStatusAsync(int number, string status) => _host.SendAsync(new ChangeStatus(number, status), _desk.Alice.Id);

    private Task<List<Survey>> SurveysAsync(int number) =>
        _host.WithDbAsync(db => db.Surveys.AsNoTracking().Where(s => s.TicketNumber == number).OrderBy(s => s.SolveSequence).ToListAsync());

    private Task<List<OutboxMail>> SurveyMailsAsync(int number) =>
        _host.WithDbAsync(db => db.Set<OutboxMail>().AsNoTracking().Where(m => m.TicketNumber == number && m.Kind == "survey").ToListAsync());

    /// <summary>The token of the survey mail's links (from the mail itself, as the customer gets it).</summary>
    private async Task<string> TokenAsync(int number)
    {
        var body = (await SurveyMailsAsync(number)).Single().BodyText;
        var start = body.IndexOf("/survey/", StringComparison.Ordinal) + "/survey/".Length;
        return body[start..body.IndexOf('?', start)];
    }

    [Fact]
    public async Task Solving_a_ticket_queues_one_automatic_survey_mail_with_five_rating_links()
    {
        var number = await OpenAsync();
        await SetStatusAsync(number, "pending");
        (await SurveysAsync(number)).Should().BeEmpty("only a solve sends a survey");

        _host.Clock.Advance(Duration.FromHours(2));
        await SetStatusAsync(number, "solved");

        var survey = (await SurveysAsync(number)).Should().ContainSingle().Subject;
        survey.Recipient.Should().Be("carol@customer.test");
        survey.SentAt.Should().Be(TestHost.Start + Duration.FromHours(2));
        survey.ExpiresAt.Should().Be(survey.SentAt + Duration.FromDays(30), "30 days is the default validity");
        survey.Rating.Should().BeNull();
        var mail = (await SurveyMailsAsync(number)).Should().ContainSingle().Subject;
        mail.To.Should().Be("carol@customer.test");
        mail.IsAutomatic.Should().BeTrue();
        mail.Subject.Should().Contain($"[#{number}]");
        var token = await TokenAsync(number);
        for (var rating = 1; rating <= 5; rating++)
            mail.BodyText.Should().Contain($"https://desk.example.test/survey/{token}?rating={rating}");
    }

    [Fact]
    public async Task Solving_again_without_a_reopen_sends_no_second_survey()
    {
        var number = await OpenAsync();
        await SetStatusAsync(number, "solved");
        await SetStatusAsync(number, "solved");

        (await SurveysAsync(number)).Should().HaveCount(1);
        (await SurveyMailsAsync(number)).Should().HaveCount(1);
    }

    [Fact]
    public async Task A_reopen_then_a_second_solve_sends_a_second_survey()
    {
        var number = await OpenAsync();
        await SetStatusAsync(number, "solved");
        _host.Clock.Advance(Duration.FromDays(1));
        await Desk.AddCustomerMessageAsync(_host, number);
        await SetStatusAsync(number, "solved");

        var surveys = await SurveysAsync(number);
        surveys.Should().HaveCount(2);
        surveys.Select(s => s.SolveSequence).Should().OnlyHaveUniqueItems();
        (await SurveyMailsAsync(number)).Should().HaveCount(2);
    }

    [Fact]
    public async Task The_database_refuses_a_second_survey_for_the_same_solve()
    {
        var number = await OpenAsync();
        await SetStatusAsync(number, "solved");
        var first = (await SurveysAsync(number)).Single();

        var duplicate = () => _host.WithDbAsync(db =>
        {
            db.Surveys.Add(Survey.Send(Guid.CreateVersion7(), first.TicketId, number, first.SolveSequence, first.Recipient, _host.Clock.GetCurrentInstant(), Duration.FromDays(1)));
            return db.SaveChangesAsync();
        });

        await duplicate.Should().ThrowAsync<DbUpdateException>();
        (await SurveysAsync(number)).Should().HaveCount(1);
    }

    [Theory]
    [InlineData("noreply@customer.test")]
    [InlineData("no-reply@customer.test")]
    [InlineData("mailer-daemon@customer.test")]
    [InlineData("postmaster@customer.test")]
    public async Task No_survey_goes_to_an_address_that_never_gets_automatic_mail(string requester)
    {
        var number = await OpenAsync(requester);
        await SetStatusAsync(number, "solved");

        (await SurveysAsync(number)).Should().BeEmpty();
        (await SurveyMailsAsync(number)).Should().BeEmpty();
        (await Desk.TicketAsync(_host, number)).Status.Should().Be(Domain.Tickets.TicketStatus.Solved, "the solve itself is not refused");
    }

    [Fact]
    public async Task No_survey_goes_to_an_address_a_bounce_marked_undeliverable()
    {
        var number = await OpenAsync("gone@customer.test");
        await _host.WithDbAsync(db =>
        {
            db.Add(new UndeliverableAddress { Address = "gone@customer.test", Until = _host.Clock.GetCurrentInstant() + Duration.FromDays(7), Reason = "5.1.1" });
            return db.SaveChangesAsync();
        });
        await SetStatusAsync(number, "solved");

        (await SurveysAsync(number)).Should().BeEmpty();
        (await SurveyMailsAsync(number)).Should().BeEmpty();
    }

    [Fact]
    public async Task No_survey_goes_to_a_requester_whose_messages_were_all_automatic()
    {
        var number = await OpenAsync("ooo@customer.test");
        // As the mail channel records a message it classified as an automatic reply.
        await _host.WithDbAsync(async db =>
        {
            var ticket = await db.Tickets.Include(t => t.Articles).SingleAsync(t => t.Number == number);
            db.Add(new ArticleMail { ArticleId = ticket.Articles[0].Id, TicketId = ticket.Id, MessageId = "ooo-1@customer.test", Classification = "auto_reply" });
            return await db.SaveChangesAsync();
        });
        await SetStatusAsync(number, "solved");

        (await SurveysAsync(number)).Should().BeEmpty();

        // The same requester writing a real message afterwards is asked at the next solve.
        await Desk.AddCustomerMessageAsync(_host, number);
        await SetStatusAsync(number, "solved");
        (await SurveysAsync(number)).Should().ContainSingle();
    }

    [Fact]
    public async Task A_rating_click_records_the_rating_and_a_later_click_within_the_window_changes_it()
    {
        var number = await OpenAsync();
        await SetStatusAsync(number, "solved");
        var token = await TokenAsync(number);

        _host.Clock.Advance(Duration.FromHours(1));
        var page = await _host.SendAsync(new AnswerSurvey(token, 2));
        page.State.Should().Be(SurveyLinkState.Valid);
        page.Survey!.Rating.Should().Be(2);
        var answeredAt = _host.Clock.GetCurrentInstant();

        _host.Clock.Advance(Duration.FromDays(29));
        (await _host.SendAsync(new AnswerSurvey(token, 5))).Survey!.Rating.Should().Be(5);

        var survey = (await SurveysAsync(number)).Single();
        survey.Rating.Should().Be(5);
        survey.AnsweredAt.Should().Be(answeredAt, "the first answer's instant stays");
        survey.UpdatedAt.Should().Be(_host.Clock.GetCurrentInstant());
    }

    [Fact]
    public async Task An_expired_link_records_nothing()
    {
        var number = await OpenAsync();
        await SetStatusAsync(number, "solved");
        var token = await TokenAsync(number);
        (await _host.SendAsync(new AnswerSurvey(token, 4))).State.Should().Be(SurveyLinkState.Valid);

        _host.Clock.Advance(Duration.FromDays(30));

        (await _host.SendAsync(new AnswerSurvey(token, 1))).State.Should().Be(SurveyLinkState.Expired);
        (await _host.SendAsync(new SaveSurveyFeedback(token, 1, "too late", 0, null))).State.Should().Be(SurveyLinkState.Expired);
        (await _host.QueryAsync(new GetSurvey(token))).State.Should().Be(SurveyLinkState.Expired);
        var survey = (await SurveysAsync(number)).Single();
        survey.Rating.Should().Be(4);
        survey.Comment.Should().BeNull();
        survey.Nps.Should().BeNull();
    }

    [Fact]
    public async Task A_tampered_link_records_nothing()
    {
        var number = await OpenAsync();
        await SetStatusAsync(number, "solved");
        var token = await TokenAsync(number);
        var parts = token.Split('.');
        var later = $"{parts[0]}.{long.Parse(parts[1]) + 86_400 * 365}.{parts[2]}";
        var otherMac = $"{parts[0]}.{parts[1]}.{(parts[2][0] == 'A' ? 'B' : 'A')}{parts[2][1..]}";

        foreach (var tampered in new[] { later, otherMac, token + "x", "garbage" })
        {
            (await _host.SendAsync(new AnswerSurvey(tampered, 5))).State.Should().Be(SurveyLinkState.Invalid, tampered);
            (await _host.SendAsync(new SaveSurveyFeedback(tampered, null, "hi", 9, null))).State.Should().Be(SurveyLinkState.Invalid, tampered);
        }

        var survey = (await SurveysAsync(number)).Single();
        survey.Rating.Should().BeNull();
        survey.Comment.Should().BeNull();
        survey.AnsweredAt.Should().BeNull();
    }

    [Fact]
    public async Task The_form_saves_the_comment_and_only_the_questions_the_desk_asks()
    {
        var number = await OpenAsync();
        await SetStatusAsync(number, "solved");
        var token = await TokenAsync(number);
        await _host.SendAsync(new AnswerSurvey(token, 3));

        var page = await _host.SendAsync(new SaveSurveyFeedback(token, null, "  Quick and friendly.  ", 9, 6));

        page.Survey!.AskNps.Should().BeTrue();
        page.Survey.AskCes.Should().BeFalse();
        var survey = (await SurveysAsync(number)).Single();
        survey.Rating.Should().Be(3, "a form without a rating keeps the clicked one");
        survey.Comment.Should().Be("Quick and friendly.");
        survey.Nps.Should().Be(9);
        survey.Ces.Should().BeNull("the CES question is switched off here");
    }

    [Fact]
    public async Task Answers_outside_their_scales_are_refused_by_validation()
    {
        var number = await OpenAsync();
        await SetStatusAsync(number, "solved");
        var token = await TokenAsync(number);

        foreach (var send in new Func<Task>[]
        {
            () => _host.SendAsync(new AnswerSurvey(token, 0)),
            () => _host.SendAsync(new AnswerSurvey(token, 6)),
            () => _host.SendAsync(new SaveSurveyFeedback(token, null, null, 11, null)),
            () => _host.SendAsync(new SaveSurveyFeedback(token, null, null, null, 0)),
            () => _host.SendAsync(new SaveSurveyFeedback(token, null, new string('x', Survey.MaxCommentLength + 1), null, null)),
        })
            await send.Should().ThrowAsync<FluentValidation.ValidationException>();
        (await SurveysAsync(number)).Single().AnsweredAt.Should().BeNull();
    }
}

/// <summary>Configuration of surveys: validity and switching them off.</summary>
public sealed class SurveyOptionTests
{
    [Fact]
    public async Task The_validity_window_comes_from_configuration()
    {
        await using var host = TestHost.Create(s =>
        {
            s.Configure<MailOptions>(o => o.PublicBaseUrl = "https://desk.example.test");
            s.Configure<SurveyOptions>(o => o.ValidityDays = 2);
        });
        var desk = await Desk.SeedAsync(host);
        var number = (await desk.OpenTicketAsync(host)).Number;
        await host.SendAsync(new ChangeStatus(number, "solved"), desk.Alice.Id);

        var survey = await host.WithDbAsync(db => db.Surveys.SingleAsync());
        survey.ExpiresAt.Should().Be(TestHost.Start + Duration.FromDays(2));
    }

    [Fact]
    public async Task Switched_off_surveys_are_not_sent()
    {
        await using var host = TestHost.Create(s =>
        {
            s.Configure<MailOptions>(o => o.PublicBaseUrl = "https://desk.example.test");
            s.Configure<SurveyOptions>(o => o.Enabled = false);
        });
        var desk = await Desk.SeedAsync(host);
        var number = (await desk.OpenTicketAsync(host)).Number;
        await host.SendAsync(new ChangeStatus(number, "solved"), desk.Alice.Id);

        (await host.WithDbAsync(db => db.Surveys.CountAsync())).Should().Be(0);
        (await host.WithDbAsync(db => db.Set<OutboxMail>().CountAsync(m => m.Kind == "survey"))).Should().Be(0);
    }
}
