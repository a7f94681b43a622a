namespace HelpDesk.Mail.Tests.Infrastructure;

/// <summary>Waits for a condition with a deadline (never a fixed sleep).</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, string what, int seconds = 30) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up waiting for {what} after {seconds} s");
            await Task.Delay(50);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> probe, string what, int seconds = 30) =>
        await WaitAsync(async () => await probe() ? "" : null, what, seconds);
}
