using System.Diagnostics;

namespace HelpDesk.Application.Common;

/// <summary>
/// A value loaded from the database together with a cheap "stamp" (counts, version sums) that changes whenever the
/// value would. The stamp is read again at most every <see cref="RecheckAfter"/>, so a burst of work (a due-queue pass,
/// a recomputation) does not pay a query per use: an edit made on another node is seen within that window, an edit
/// made on this node at once (<see cref="Invalidate"/>).
/// </summary>
public sealed class StampedCache<T> where T : class
{
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromSeconds(1);

    private readonly Lock _gate = new();
    private (string Stamp, T Value, long CheckedAt)? _cached;

    public void Invalidate()
    {
        lock (_gate) _cached = null;
    }

    public async Task<T> GetAsync(Func<CancellationToken, Task<string>> stamp, Func<CancellationToken, Task<T>> load, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_cached is { } c && Stopwatch.GetElapsedTime(c.CheckedAt) < RecheckAfter) return c.Value;
        }
        var current = await stamp(ct);
        lock (_gate)
        {
            if (_cached is { } c && c.Stamp == current)
            {
                _cached = c with { CheckedAt = Stopwatch.GetTimestamp() };
                return c.Value;
            }
        }
        var value = await load(ct);
        lock (_gate)
        {
            _cached = (current, value, Stopwatch.GetTimestamp());
        }
        return value;
    }
}
