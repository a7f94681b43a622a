using System.Text.Json;
using Microsoft.Playwright;

namespace HelpDesk.Console.Tests.Infrastructure;

/// <summary>
/// What the browser tests need to see of the console's connection, from the test side only: the page's WebSockets
/// (to drop them as a network failure would), its last applied sequence per stream (<c>body[data-last-seq]</c>), and
/// what the replay endpoint handed it.
/// </summary>
public static class ConsoleConnection
{
    /// <summary>Keeps every WebSocket a page of <paramref name="context"/> opens, so a test can drop it.</summary>
    public static Task WatchSocketsAsync(IBrowserContext context) => context.AddInitScriptAsync("""
        (() => {
          const Native = window.WebSocket;
          const sockets = [];
          window.WebSocket = class extends Native {
            constructor(...args) { super(...args); sockets.push(this); }
          };
          Object.defineProperty(window, '__testSockets', { value: sockets });
        })();
        """);

    /// <summary>Closes the page's open WebSockets: the hub connection drops as if the network had failed.</summary>
    public static Task DropAsync(IPage page) =>
        page.EvaluateAsync("() => { for (const s of window.__testSockets) if (s.readyState <= 1) s.close(); }");

    /// <summary>The sequence the console has applied last on <paramref name="stream"/>.</summary>
    public static async Task<long> LastSeqAsync(IPage page, string stream)
    {
        var json = await page.GetAttributeAsync("body", "data-last-seq") ?? "{}";
        return JsonDocument.Parse(json).RootElement.TryGetProperty(stream, out var seq) ? seq.GetInt64() : 0;
    }

    /// <summary>Counts what the replay endpoint answers the page from now on, before the page sees each answer.</summary>
    public static async Task<ReplayWatch> WatchReplaysAsync(IPage page)
    {
        var watch = new ReplayWatch();
        await page.RouteAsync("**/api/v1/console/events?**", async route =>
        {
            var response = await route.FetchAsync();
            var body = await response.JsonAsync();
            if (body is { } answer && answer.TryGetProperty("reset", out var reset) && reset.ValueKind == JsonValueKind.True) Interlocked.Increment(ref watch.ResetCount);
            else if (body is { } events && events.TryGetProperty("events", out var list)) Interlocked.Add(ref watch.ReplayedCount, list.GetArrayLength());
            await route.FulfillAsync(new RouteFulfillOptions { Response = response });
        });
        return watch;
    }
}

/// <summary>Events the console fetched from the replay endpoint rather than had pushed, and "no longer kept" answers.</summary>
public sealed class ReplayWatch
{
    internal int ReplayedCount, ResetCount;

    public int Replayed => Volatile.Read(ref ReplayedCount);

    public int Resets => Volatile.Read(ref ResetCount);
}
