namespace HelpDesk.Domain.Sla;

/// <summary>The three SLA clocks of sla.md, in output order.</summary>
public enum SlaMetric
{
    FirstResponse = 0,
    NextReply = 1,
    Resolution = 2,
}
