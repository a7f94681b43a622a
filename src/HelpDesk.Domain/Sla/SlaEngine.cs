using NodaTime;

namespace HelpDesk.Domain.Sla;

/// <summary>
/// The pure SLA engine: replays a ticket's SLA events under the terms in force and reports every cycle at <c>now</c>.
/// Never reads a clock.
/// </summary>
public static class SlaEngine
{
    // CONTRACT ONLY: the SLA engine work replaces this body.
    /// <exception cref="ArgumentException">events out of order, an event after closed, no Created first.</exception>
    public static SlaReport Evaluate(SlaTerms terms, IReadOnlyList<SlaEvent> events, Instant now) => SlaReport.Empty;
}
