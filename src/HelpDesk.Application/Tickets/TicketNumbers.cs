using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Tickets;

/// <summary>
/// Hands out ticket numbers from a counter row. The increment runs inside the caller's transaction, so the row stays
/// locked until commit: numbers are unique across nodes and a rolled-back ticket gives its number back.
/// </summary>
public static class TicketNumbers
{
    public const string CounterName = "ticket";
    public const long First = 10001;

    public static async Task<int> NextAsync(HelpDeskDbContext db, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Ticket numbers must be allocated inside a transaction.");
        var updated = await db.Counters.Where(c => c.Name == CounterName)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Value, c => c.Value + 1), ct);
        if (updated == 0) throw new InvalidOperationException("The ticket counter is missing; run the migrations.");
        return (int)await db.Counters.Where(c => c.Name == CounterName).Select(c => c.Value).SingleAsync(ct);
    }
}
