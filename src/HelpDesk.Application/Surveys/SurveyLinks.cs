using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Surveys;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Surveys;

/// <summary>What a survey link turned out to be.</summary>
public enum SurveyLinkState
{
    /// <summary>Signed by us, not expired, the survey exists.</summary>
    Valid,
    /// <summary>Malformed or wrongly signed (tampered): nothing is recorded.</summary>
    Invalid,
    /// <summary>Signed by us but past its expiry: nothing is recorded.</summary>
    Expired,
    /// <summary>Signed by us, but the survey is gone (its ticket was deleted).</summary>
    Unknown,
}

/// <summary>What the landing page shows: the link's state and, for a valid link, the survey's answers so far.</summary>
public sealed record SurveyPage(SurveyLinkState State, SurveyView? Survey)
{
    public static SurveyPage Refused(SurveyLinkState state) => new(state, null);
}

public sealed record SurveyView(int TicketNumber, string TicketSubject, int? Rating, int? Nps, int? Ces, string? Comment,
    Instant ExpiresAt, bool AskNps, bool AskCes);

/// <summary>Resolves the token of a survey link to its survey (tracked, for the answering handlers).</summary>
public sealed class SurveyLinks(HelpDeskDbContext db, SurveyTokens tokens, IClock clock, SurveySettings settings)
{
    /// <summary>The survey settings in force.</summary>
    public Task<SurveyOptions> OptionsAsync(CancellationToken ct) => settings.CurrentAsync(ct);

    public async Task<(SurveyLinkState State, Survey? Survey, Instant Now)> OpenAsync(string? token, CancellationToken ct)
    {
        var now = clock.GetCurrentInstant();
        if (await tokens.ReadAsync(db, token, ct) is not { } read) return (SurveyLinkState.Invalid, null, now);
        if (now >= read.ExpiresAt) return (SurveyLinkState.Expired, null, now);
        var survey = await db.Surveys.SingleOrDefaultAsync(s => s.Id == read.SurveyId, ct);
        if (survey is null) return (SurveyLinkState.Unknown, null, now);
        // The row's expiry is the same instant; checked again so neither can outlive the other.
        return survey.IsExpiredAt(now) ? (SurveyLinkState.Expired, null, now) : (SurveyLinkState.Valid, survey, now);
    }

    public async Task<SurveyPage> PageAsync(Survey survey, CancellationToken ct)
    {
        var subject = await db.Tickets.AsNoTracking().Where(t => t.Id == survey.TicketId).Select(t => t.Subject).SingleAsync(ct);
        var options = await settings.CurrentAsync(ct);
        return new SurveyPage(SurveyLinkState.Valid, new SurveyView(survey.TicketNumber, subject, survey.Rating, survey.Nps, survey.Ces,
            survey.Comment, survey.ExpiresAt, options.AskNps, options.AskCes));
    }
}
