using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Surveys;
using Mediator;

namespace HelpDesk.Application.Surveys.SaveSurveyFeedback;

/// <summary>
/// The landing page's form: an optional comment, and the NPS (0–10) and CES (1–7) answers when the desk asks them
/// (answers to questions that are switched off are ignored). A rating may come with it (the form offers to change it).
/// </summary>
public sealed record SaveSurveyFeedback(string? Token, int? Rating, string? Comment, int? Nps, int? Ces) : ICommand<SurveyPage>;

public sealed class SaveSurveyFeedbackValidator : AbstractValidator<SaveSurveyFeedback>
{
    public SaveSurveyFeedbackValidator(HelpDeskDbContext db)
    {
        RuleFor(c => c.Rating).InclusiveBetween(1, 5).When(c => c.Rating is not null);
        RuleFor(c => c.Nps).InclusiveBetween(0, 10).When(c => c.Nps is not null);
        RuleFor(c => c.Ces).InclusiveBetween(1, 7).When(c => c.Ces is not null);
        RuleFor(c => c.Comment).StoredAs(db, (Survey s) => s.Comment, multiline: true);
    }
}

public sealed class SaveSurveyFeedbackHandler(SurveyLinks links, HelpDeskDbContext db) : ICommandHandler<SaveSurveyFeedback, SurveyPage>
{
    public async ValueTask<SurveyPage> Handle(SaveSurveyFeedback command, CancellationToken ct)
    {
        var (state, survey, now) = await links.OpenAsync(command.Token, ct);
        if (survey is null) return SurveyPage.Refused(state);
        if (command.Rating is { } rating) survey.Rate(rating, now);
        var options = await links.OptionsAsync(ct);
        survey.AddFeedback(command.Comment, options.AskNps ? command.Nps : null, options.AskCes ? command.Ces : null, now);
        await db.SaveChangesAsync(ct);
        return await links.PageAsync(survey, ct);
    }
}
