namespace HelpDesk.Application.Surveys;

/// <summary><c>HelpDesk:Surveys</c> configuration (see appsettings.example.json).</summary>
public sealed class SurveyOptions
{
    public const string Section = "HelpDesk:Surveys";

    /// <summary>Mail a satisfaction survey when a ticket is solved.</summary>
    public bool Enabled { get; set; } = true;
    /// <summary>How long the links in a survey mail work (rating, changing it, the comment form).</summary>
    public double ValidityDays { get; set; } = 30;
    /// <summary>Ask "how likely are you to recommend us" (0–10) on the landing page.</summary>
    public bool AskNps { get; set; }
    /// <summary>Ask "how easy was it to get your issue solved" (1–7) on the landing page.</summary>
    public bool AskCes { get; set; }
}
