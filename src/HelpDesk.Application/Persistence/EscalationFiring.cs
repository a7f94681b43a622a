using NodaTime;

namespace HelpDesk.Application.Persistence;

/// <summary>
/// A step of an escalation rule that has fired for a ticket. The unique key (rule, step, ticket, clock, cycle) makes each
/// step fire once per clock cycle, across restarts and nodes. <see cref="Clock"/> is an SLA metric
/// (<c>firstResponse</c>, <c>nextReply</c>, <c>resolution</c>) or <c>unassigned</c>.
/// </summary>
public sealed class EscalationFiring
{
    public Guid Id { get; set; }
    public Guid RuleId { get; set; }
    public string RuleName { get; set; } = "";
    public int Step { get; set; }
    public Guid TicketId { get; set; }
    public int TicketNumber { get; set; }
    public string Clock { get; set; } = "";
    public int Cycle { get; set; }
    public Instant FiredAt { get; set; }
}
