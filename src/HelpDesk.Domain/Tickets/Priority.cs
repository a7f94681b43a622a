namespace HelpDesk.Domain.Tickets;

/// <summary>Ticket priority; the SLA targets are chosen per priority.</summary>
public enum Priority
{
    Urgent = 0,
    High = 1,
    Normal = 2,
    Low = 3,
}
