using Mediator;

namespace HelpDesk.Application.Surveys.GetSurvey;

/// <summary>The survey behind a link opened without a rating (the page then offers the five ratings).</summary>
public sealed record GetSurvey(string? Token) : IQuery<SurveyPage>;

public sealed class GetSurveyHandler(SurveyLinks links) : IQueryHandler<GetSurvey, SurveyPage>
{
    public async ValueTask<SurveyPage> Handle(GetSurvey query, CancellationToken ct)
    {
        var (state, survey, _) = await links.OpenAsync(query.Token, ct);
        return survey is null ? SurveyPage.Refused(state) : await links.PageAsync(survey, ct);
    }
}
