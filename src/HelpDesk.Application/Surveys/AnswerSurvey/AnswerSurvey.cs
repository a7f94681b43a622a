using FluentValidation;
using Mediator;

namespace HelpDesk.Application.Surveys.AnswerSurvey;

/// <summary>
/// A customer clicked rating link <see cref="Rating"/> (1–5) in a survey mail; no login, the signed token is the
/// credential. A later click within the validity window replaces the rating; a tampered or expired token records nothing.
/// </summary>
public sealed record AnswerSurvey(string? Token, int Rating) : ICommand<SurveyPage>;

public sealed class AnswerSurveyValidator : AbstractValidator<AnswerSurvey>
{
    public AnswerSurveyValidator() => RuleFor(c => c.Rating).InclusiveBetween(1, 5);
}

public sealed class AnswerSurveyHandler(SurveyLinks links, Persistence.HelpDeskDbContext db) : ICommandHandler<AnswerSurvey, SurveyPage>
{
    public async ValueTask<SurveyPage> Handle(AnswerSurvey command, CancellationToken ct)
    {
        var (state, survey, now) = await links.OpenAsync(command.Token, ct);
        if (survey is null) return SurveyPage.Refused(state);
        survey.Rate(command.Rating, now);
        await db.SaveChangesAsync(ct);
        return await links.PageAsync(survey, ct);
    }
}
