using HelpDesk.Application.Tickets.GetTicketSla;

namespace HelpDesk.Web.Endpoints;

/// <summary>The ticket SLA answer: the simulator's output shape plus which policy and versions applied.</summary>
public static class TicketSlaJson
{
    public static string Write(TicketSlaResult sla) => throw new NotSupportedException("merge: wire to the simulator's JSON writer");
}
