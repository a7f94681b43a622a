using System.Globalization;
using FluentValidation;
using HelpDesk.Application.Surveys;
using HelpDesk.Application.Surveys.AnswerSurvey;
using HelpDesk.Application.Surveys.GetSurvey;
using HelpDesk.Application.Surveys.SaveSurveyFeedback;
using HelpDesk.Web.Auth;
using Mediator;

namespace HelpDesk.Web.Endpoints;

/// <summary>
/// The customer's survey landing page, reached from the one-click links of a survey mail. Anonymous: the signed,
/// expiring token in the path is the credential, and the comment form posts back to the same token-bound address
/// (a third party cannot forge that post without the token, so no antiforgery cookie is needed).
/// </summary>
public static class SurveyEndpoints
{
    public static void MapSurveyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/survey/{token}", async (string token, string? rating, IMediator m, CancellationToken ct) =>
        {
            if (rating is null) return SurveyPages.Render(await m.Send(new GetSurvey(token), ct), token, saved: false);
            if (!int.TryParse(rating, NumberStyles.None, CultureInfo.InvariantCulture, out var r)) return SurveyPages.BadAnswer();
            return await Answer(() => m.Send(new AnswerSurvey(token, r), ct), token, saved: false);
        }).AllowAnonymous().LimitSignInAbuse(SignInLimits.RouteToken).ExcludeFromDescription();

        app.MapPost("/survey/{token}", async (string token, HttpContext http, IMediator m, CancellationToken ct) =>
        {
            if (!http.Request.HasFormContentType) return SurveyPages.BadAnswer();
            var form = await http.Request.ReadFormAsync(ct);
            if (!TryNumber(form["rating"], out var rating) || !TryNumber(form["nps"], out var nps) || !TryNumber(form["ces"], out var ces))
                return SurveyPages.BadAnswer();
            return await Answer(() => m.Send(new SaveSurveyFeedback(token, rating, form["comment"].ToString(), nps, ces), ct), token, saved: true);
        }).AllowAnonymous().DisableAntiforgery().LimitSignInAbuse(SignInLimits.RouteToken).ExcludeFromDescription();
    }

    private static async Task<IResult> Answer(Func<ValueTask<SurveyPage>> send, string token, bool saved)
    {
        try
        {
            return SurveyPages.Render(await send(), token, saved);
        }
        catch (ValidationException)
        {
            return SurveyPages.BadAnswer();
        }
    }

    // An absent or empty field is "no answer"; anything else must be a plain number.
    private static bool TryNumber(Microsoft.Extensions.Primitives.StringValues value, out int? number)
    {
        number = null;
        if (string.IsNullOrEmpty(value.ToString())) return true;
        if (!int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        number = n;
        return true;
    }

    /// <summary>The survey settings (read: leads and admins; write: admins), with their ETag.</summary>
    public static RouteGroupBuilder MapSurveySettingsEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/settings/survey", async (HttpContext http, SurveySettings settings, CancellationToken ct) =>
            {
                var s = await settings.GetAsync(ct);
                return http.Tagged(s, s.Version);
            })
            .WithTags("Configuration").WithSummary("The satisfaction survey's settings in force and where they come from, with their ETag (lead, admin)")
            .Produces<SurveySettingsDto>();
        api.MapPut("/settings/survey", async (SurveySettingsWrite body, HttpContext http, SurveySettings settings, CancellationToken ct) =>
            {
                var s = await settings.PutAsync(body, http.IfMatch(), ct);
                return http.Tagged(s, s.Version);
            })
            .WithTags("Configuration").WithSummary("Save the survey settings; from then on they replace HelpDesk:Surveys (admin)")
            .Produces<SurveySettingsDto>().ProducesValidationProblem().WithIfMatch();
        return api;
    }
}
