using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.AgentConsole;

/// <summary>
/// Console events exist for replay after a short disconnect, not as history (the ticket's own history is that): events
/// older than the retention are deleted, a few thousand per statement so no delete holds the database for long. A
/// console asking for events that are gone is told to reload (<see cref="GetConsoleEvents.ConsoleEventPage.Reset"/>).
/// </summary>
public sealed class ConsoleEventRetention(HelpDeskDbContext db)
{
    public const int DefaultDays = 7;
    private const int Chunk = 2000;

    /// <returns>How many events were deleted.</returns>
    public async Task<int> DeleteOlderThanAsync(Instant cutoff, CancellationToken ct)
    {
        var deleted = 0;
        while (true)
        {
            var ids = await db.Set<ConsoleEvent>().Where(e => e.At < cutoff).OrderBy(e => e.At).Select(e => e.Id).Take(Chunk).ToListAsync(ct);
            if (ids.Count == 0) return deleted;
            deleted += await db.Set<ConsoleEvent>().Where(e => ids.Contains(e.Id)).ExecuteDeleteAsync(ct);
        }
    }
}
