using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Domain.Reporting;

/// <summary>Who held a ticket: its assignee, else (no assignee) its team.</summary>
public readonly record struct Holder(Guid TeamId, Guid? AgentId);

/// <summary>From <see cref="From"/> until the next span's start, <see cref="Holder"/> held the ticket.</summary>
public sealed record HolderSpan(Instant From, Holder Holder);

/// <summary>A ticket's holders over its life, replayed from its history (team moves and assignments).</summary>
public static class TicketHolders
{
    /// <summary>The spans in order; the first starts at the ticket's creation. Never empty.</summary>
    public static IReadOnlyList<HolderSpan> Of(Ticket ticket)
    {
        var changes = ticket.History
            .Where(h => h.Kind is TicketChangeKind.TeamChanged or TicketChangeKind.Assigned)
            .OrderBy(h => h.Sequence)
            .ToList();
        // The history records from → to, so the state at creation is the first change's "from" (or today's value).
        var team = changes.FirstOrDefault(h => h.Kind == TicketChangeKind.TeamChanged) is { } firstMove ? Guid.Parse(firstMove.From!) : ticket.TeamId;
        var agent = changes.FirstOrDefault(h => h.Kind == TicketChangeKind.Assigned) is { } firstAssignment ? ParseAgent(firstAssignment.From) : ticket.AssigneeId;
        var spans = new List<HolderSpan> { new(ticket.CreatedAt, new Holder(team, agent)) };
        foreach (var change in changes)
        {
            if (change.Kind == TicketChangeKind.TeamChanged) team = Guid.Parse(change.To!);
            else agent = ParseAgent(change.To);
            var holder = new Holder(team, agent);
            if (spans[^1].Holder == holder) continue;
            if (spans[^1].From == change.At) spans[^1] = new HolderSpan(change.At, holder);
            else spans.Add(new HolderSpan(change.At, holder));
        }
        return spans;
    }

    private static Guid? ParseAgent(string? value) => value is { Length: > 0 } ? Guid.Parse(value) : null;
}
