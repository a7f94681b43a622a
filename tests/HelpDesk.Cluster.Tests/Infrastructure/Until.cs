namespace HelpDesk.Cluster.Tests.Infrastructure;

/// <summary>Waits on a condition with a deadline, polling every 50 ms (never a fixed sleep).</summary>
public static class Until
{
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, string what, int seconds = 30) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for {what} after {seconds} s");
            await Task.Delay(50);
        }
    }

    public static Task TrueAsync(Func<Task<bool>> probe, string what, int seconds = 30) =>
        ValueAsync(async () => await probe() ? "" : null, what, seconds);
}
