using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace HelpDesk.Console.Tests.Infrastructure;

/// <summary>Records what a hub connection receives.</summary>
public sealed class EventRecorder
{
    public ConcurrentQueue<JsonElement> Events { get; } = new();
    public ConcurrentQueue<(int Ticket, JsonElement Viewers)> Presence { get; } = new();

    public static EventRecorder On(HubConnection hub)
    {
        var r = new EventRecorder();
        hub.On<JsonElement>("Event", e => r.Events.Enqueue(e));
        hub.On<int, JsonElement>("Presence", (t, v) => r.Presence.Enqueue((t, v)));
        return r;
    }

    public List<JsonElement> For(string stream) => Events.Where(e => e.GetProperty("stream").GetString() == stream).ToList();
}
