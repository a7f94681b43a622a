using HelpDesk.Domain.Common;
using NodaTime;

namespace HelpDesk.Domain.Surveys;

/// <summary>
/// The satisfaction survey mailed when a ticket was solved: one per solve (<see cref="TicketId"/>,
/// <see cref="SolveSequence"/> is unique), answered through signed one-click links until <see cref="ExpiresAt"/>.
/// CSAT, NPS and CES are computed from <see cref="Rating"/>, <see cref="Nps"/> and <see cref="Ces"/> by ticket.
/// </summary>
public sealed class Survey
{
    public const int MaxCommentLength = 4000;

    private Survey() { Recipient = ""; }

    public Guid Id { get; private set; }
    public Guid TicketId { get; private set; }
    public int TicketNumber { get; private set; }
    /// <summary>The history sequence of the status change to solved that sent this survey: its solve identity.</summary>
    public int SolveSequence { get; private set; }
    public string Recipient { get; private set; }
    public Instant SentAt { get; private set; }
    /// <summary>Links stop working at this instant (the same expiry is signed into the token).</summary>
    public Instant ExpiresAt { get; private set; }
    /// <summary>CSAT answer, 1 (very dissatisfied) to 5 (very satisfied).</summary>
    public int? Rating { get; private set; }
    /// <summary>Net promoter answer, 0 to 10 (optional question).</summary>
    public int? Nps { get; private set; }
    /// <summary>Customer effort answer, 1 (very difficult) to 7 (very easy) (optional question).</summary>
    public int? Ces { get; private set; }
    public string? Comment { get; private set; }
    /// <summary>First answer of any kind.</summary>
    public Instant? AnsweredAt { get; private set; }
    /// <summary>Latest change of an answer.</summary>
    public Instant? UpdatedAt { get; private set; }

    public static Survey Send(Guid id, Guid ticketId, int ticketNumber, int solveSequence, string recipient, Instant sentAt, Duration validity)
    {
        if (validity <= Duration.Zero) throw new ArgumentOutOfRangeException(nameof(validity), "A survey must be answerable for some time.");
        return new Survey
        {
            Id = id, TicketId = ticketId, TicketNumber = ticketNumber, SolveSequence = solveSequence, Recipient = recipient,
            // Whole seconds: the expiry is signed into the link as Unix seconds and must be the same instant.
            SentAt = sentAt, ExpiresAt = Instant.FromUnixTimeSeconds((sentAt + validity).ToUnixTimeSeconds()),
        };
    }

    public bool IsExpiredAt(Instant now) => now >= ExpiresAt;

    /// <summary>Records the 1–5 rating; a later click within the validity window replaces it.</summary>
    public void Rate(int rating, Instant now)
    {
        EnsureOpen(now);
        if (rating is < 1 or > 5) throw new DomainRuleViolation("survey.rating_out_of_range", "A rating is 1 to 5.");
        Rating = rating;
        Answered(now);
    }

    /// <summary>The optional comment and questions; a null leaves what was given before, an empty comment removes it.</summary>
    public void AddFeedback(string? comment, int? nps, int? ces, Instant now)
    {
        EnsureOpen(now);
        if (nps is < 0 or > 10) throw new DomainRuleViolation("survey.nps_out_of_range", "The recommendation score is 0 to 10.");
        if (ces is < 1 or > 7) throw new DomainRuleViolation("survey.ces_out_of_range", "The effort score is 1 to 7.");
        if (comment is not null)
        {
            var trimmed = comment.Trim();
            if (trimmed.Length > MaxCommentLength) throw new DomainRuleViolation("survey.comment_too_long", $"A comment has at most {MaxCommentLength} characters.");
            Comment = trimmed.Length == 0 ? null : trimmed;
        }
        Nps = nps ?? Nps;
        Ces = ces ?? Ces;
        Answered(now);
    }

    private void Answered(Instant now)
    {
        AnsweredAt ??= now;
        UpdatedAt = now;
    }

    private void EnsureOpen(Instant now)
    {
        if (IsExpiredAt(now)) throw new DomainRuleViolation("survey.expired", "This survey has expired.");
    }
}
