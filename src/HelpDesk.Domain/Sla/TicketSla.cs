using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Domain.Sla;

/// <summary>
/// Evaluates a ticket's SLA: its own ledger (history) merged with the policy and calendar versions that were in force.
/// </summary>
public static class TicketSla
{
    /// <summary>
    /// The ticket's SLA report at <paramref name="now"/>. A ticket that never matched a policy has no cycles.
    /// The first policy a ticket gets applies from its creation (targets are measured from when the customer asked);
    /// later switches and version edits apply from their instant to running cycles only.
    /// </summary>
    public static SlaReport Evaluate(Ticket ticket, SlaConfiguration configuration, Instant now)
    {
        var (terms, events) = Ledger(ticket, configuration, now);
        return terms is null ? SlaReport.Empty : SlaEngine.Evaluate(terms, events, now);
    }

    /// <summary>The initial terms and the full event list the engine replays (ticket events plus terms changes).</summary>
    public static (SlaTerms? Initial, IReadOnlyList<SlaEvent> Events) Ledger(Ticket ticket, SlaConfiguration configuration, Instant now)
    {
        var applied = ticket.History
            .Where(h => h.Kind == TicketChangeKind.SlaPolicyApplied && h.To is not null)
            .OrderBy(h => h.Sequence)
            .Select(h => (At: h.At, Policy: h.To!))
            .ToList();
        var ticketEvents = ticket.SlaEvents();
        if (applied.Count == 0) return (null, ticketEvents);

        var initial = configuration.TermsAt(applied[0].Policy, Max(applied[0].At, ticket.CreatedAt));
        if (initial is null) return (null, ticketEvents);

        var changes = new List<SlaEvent>();
        var current = initial;
        for (var i = 0; i < applied.Count; i++)
        {
            var (from, policy) = applied[i];
            var until = i + 1 < applied.Count ? applied[i + 1].At : now;
            var points = new List<Instant>();
            if (i > 0) points.Add(from);
            points.AddRange(configuration.ChangesBetween(policy, Max(from, ticket.CreatedAt), until));
            foreach (var at in points.Distinct().Order())
            {
                if (at <= ticket.CreatedAt || at > now) continue;
                var terms = configuration.TermsAt(policy, at);
                if (terms is null || SameVersions(terms, current)) continue;
                changes.Add(new SlaEvent.TermsChanged(at, terms));
                current = terms;
            }
        }
        if (changes.Count == 0) return (initial, ticketEvents);

        // Ticket events keep their order; a terms change goes after the ticket events of the same instant.
        var merged = new List<SlaEvent>(ticketEvents.Count + changes.Count);
        int a = 0, b = 0;
        while (a < ticketEvents.Count || b < changes.Count)
        {
            if (b >= changes.Count || (a < ticketEvents.Count && ticketEvents[a].At <= changes[b].At)) merged.Add(ticketEvents[a++]);
            else merged.Add(changes[b++]);
        }
        return (initial, merged);
    }

    private static bool SameVersions(SlaTerms x, SlaTerms y) =>
        string.Equals(x.PolicyName, y.PolicyName, StringComparison.OrdinalIgnoreCase) && x.PolicyVersion == y.PolicyVersion
        && string.Equals(x.CalendarName, y.CalendarName, StringComparison.OrdinalIgnoreCase) && x.CalendarVersion == y.CalendarVersion;

    private static Instant Max(Instant a, Instant b) => a > b ? a : b;
}
