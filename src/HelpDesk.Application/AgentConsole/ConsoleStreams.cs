using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.AgentConsole;

/// <summary>Stream names: one per team (ticket events, team notifications) and one per agent (personal notifications).</summary>
public static class ConsoleStreamNames
{
    public static string Team(string teamName) => $"team:{teamName}";
    public static string Agent(string email) => $"agent:{email}";
}

/// <summary>
/// Appends console events to their streams with the next sequence number. The head row is incremented inside the
/// transaction, so two nodes appending to one stream queue behind each other and the numbers stay unique and gap-free.
/// </summary>
public sealed class ConsoleStreams(HelpDeskDbContext db, IClock clock)
{
    public async Task<IReadOnlyList<ConsoleEvent>> AppendAsync(IReadOnlyList<(string Stream, string Type, int? TicketNumber, string Payload)> items, CancellationToken ct)
    {
        if (items.Count == 0) return [];
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await AppendOnceAsync(items, ct);
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                // Two nodes created the same new head row at once; the loser retries against the now existing row (not a
                // transient failure, so the execution strategy leaves it to this loop).
            }
        }
    }

    private Task<IReadOnlyList<ConsoleEvent>> AppendOnceAsync(IReadOnlyList<(string Stream, string Type, int? TicketNumber, string Payload)> items, CancellationToken ct) =>
        db.InTransactionAsync<IReadOnlyList<ConsoleEvent>>(async ct =>
        {
            var now = clock.GetCurrentInstant();
            var appended = new List<ConsoleEvent>(items.Count);
            foreach (var (stream, type, ticket, payload) in items)
            {
                var updated = await db.Set<ConsoleStreamHead>().Where(h => h.Stream == stream)
                    .ExecuteUpdateAsync(s => s.SetProperty(h => h.LastSequence, h => h.LastSequence + 1), ct);
                long sequence;
                if (updated == 0)
                {
                    db.Set<ConsoleStreamHead>().Add(new ConsoleStreamHead { Stream = stream, LastSequence = 1 });
                    await db.SaveChangesAsync(ct);
                    sequence = 1;
                }
                else
                {
                    sequence = await db.Set<ConsoleStreamHead>().Where(h => h.Stream == stream).Select(h => h.LastSequence).SingleAsync(ct);
                }
                var e = new ConsoleEvent { Id = Guid.CreateVersion7(), Stream = stream, Sequence = sequence, Type = type, TicketNumber = ticket, Payload = payload, At = now };
                db.Set<ConsoleEvent>().Add(e);
                appended.Add(e);
            }
            await db.SaveChangesAsync(ct);
            return appended;
        }, ct);
}
