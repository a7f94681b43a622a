using HelpDesk.Domain.Common;
using HelpDesk.Domain.Sla;
using NodaTime;

namespace HelpDesk.Domain.Reporting;

/// <summary>The root cause a lead gives a breach when reviewing it.</summary>
public enum BreachCause { Staffing, CustomerDelay, ThirdParty, Misrouted, Process, Tooling, Other }

/// <summary>
/// A lead's verdict on one breached SLA cycle: why it happened (<see cref="Category"/>) and a note. One per cycle;
/// acknowledging again replaces category and note and records the new author and instant, so the row always says who
/// stands behind the text shown. The breach itself is unchanged: acknowledged breaches stay in the review.
/// </summary>
public sealed class BreachAcknowledgement
{
    public const int MaxNoteLength = 2000;

    private BreachAcknowledgement() { }

    public Guid TicketId { get; private set; }
    public SlaMetric Metric { get; private set; }
    public int Cycle { get; private set; }
    public BreachCause Category { get; private set; }
    public string Note { get; private set; } = "";
    /// <summary>Who acknowledged last.</summary>
    public Guid AgentId { get; private set; }
    /// <summary>When they did.</summary>
    public Instant At { get; private set; }

    public static BreachAcknowledgement Record(Guid ticketId, SlaMetric metric, int cycle, BreachCause category, string? note, Guid agentId, Instant at)
    {
        var acknowledgement = new BreachAcknowledgement { TicketId = ticketId, Metric = metric, Cycle = cycle };
        acknowledgement.Replace(category, note, agentId, at);
        return acknowledgement;
    }

    /// <summary>Re-acknowledging: the new category and note replace the old, and the new author and instant are kept.</summary>
    public void Replace(BreachCause category, string? note, Guid agentId, Instant at)
    {
        var text = note?.Trim() ?? "";
        if (text.Length > MaxNoteLength)
            throw new DomainRuleViolation("breach.note_too_long", $"The note may have at most {MaxNoteLength} characters.");
        // "Other" says nothing by itself; the note is where the reason goes.
        if (category == BreachCause.Other && text.Length == 0)
            throw new DomainRuleViolation("breach.note_required", "A breach acknowledged as 'other' needs a note saying why.");
        Category = category;
        Note = text;
        AgentId = agentId;
        At = at;
    }
}
