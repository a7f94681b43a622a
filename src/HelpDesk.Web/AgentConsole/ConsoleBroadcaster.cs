using System.Text.Json;
using HelpDesk.Application.AgentConsole;
using HelpDesk.Application.AgentConsole.GetConsoleEvents;
using HelpDesk.Application.Common;
using HelpDesk.Application.Notifications;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets.GetQueue;
using HelpDesk.Domain.Notifications;
using HelpDesk.Domain.Tickets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HelpDesk.Web.AgentConsole;

/// <summary>
/// Turns committed ticket events and notifications into console events: appends each to its stream (sequence number,
/// kept for replay), then pushes it to the stream's hub group. Runs after commit, so nothing is pushed for a rolled-back change.
/// </summary>
public sealed class ConsoleBroadcaster(IServiceScopeFactory scopes, IHubContext<ConsoleHub, IConsoleClient> hub, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json)
    : ITicketEventSubscriber, INotificationSubscriber
{
    // Append-then-send under one lock, so this node pushes each stream's events in sequence order. Events appended by
    // other nodes may still interleave; clients order by sequence and fetch any gap from the replay endpoint.
    private readonly SemaphoreSlim _order = new(1, 1);

    public async ValueTask OnCommittedAsync(IReadOnlyList<TicketEvent> events, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        var items = new List<(string Stream, string Type, int? TicketNumber, string Payload)>();
        foreach (var group in events.GroupBy(e => e.TicketId))
        {
            var snapshot = await SnapshotAsync(db, group.Key, ct);
            if (snapshot is null) continue;
            foreach (var e in group)
            {
                var (type, extra) = Describe(e);
                var payload = Serialize(new { type, ticket = snapshot, change = extra });
                var teams = new List<string> { snapshot.Team };
                if (e is TicketEvent.TeamChanged moved && await TeamNameAsync(db, moved.From, ct) is { } oldTeam) teams.Add(oldTeam);
                items.AddRange(teams.Select(team => (ConsoleStreamNames.Team(team), type, (int?)e.Number, payload)));
                if (e is TicketEvent.Assigned { To: { } assignee } && await db.Agents.Where(a => a.Id == assignee).Select(a => a.Email).SingleOrDefaultAsync(ct) is { } email)
                    items.Add((ConsoleStreamNames.Agent(email), "notification", e.Number,
                        Serialize(new { kind = "assignment", ticketNumber = e.Number, message = $"#{e.Number} {snapshot.Subject} was assigned to you.", forTeam = false })));
            }
        }
        await AppendAndSendAsync(scope.ServiceProvider, items, ct);
    }

    public async ValueTask OnCommittedAsync(IReadOnlyList<Notification> notifications, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        var items = new List<(string Stream, string Type, int? TicketNumber, string Payload)>();
        foreach (var n in notifications)
        {
            string? stream = n.AgentId is { } agentId
                ? await db.Agents.Where(a => a.Id == agentId).Select(a => a.Email).SingleOrDefaultAsync(ct) is { } email ? ConsoleStreamNames.Agent(email) : null
                : n.TeamId is { } teamId && await TeamNameAsync(db, teamId, ct) is { } team ? ConsoleStreamNames.Team(team) : null;
            if (stream is null) continue;
            items.Add((stream, "notification", n.TicketNumber,
                Serialize(new NotificationDto(n.Id, n.Kind, n.TicketNumber, n.Message, n.CreatedAt, n.ReadAt, n.AgentId is null))));
        }
        await AppendAndSendAsync(scope.ServiceProvider, items, ct);
    }

    private async Task AppendAndSendAsync(IServiceProvider services, List<(string Stream, string Type, int? TicketNumber, string Payload)> items, CancellationToken ct)
    {
        if (items.Count == 0) return;
        await _order.WaitAsync(ct);
        try
        {
            var appended = await services.GetRequiredService<ConsoleStreams>().AppendAsync(items, ct);
            foreach (var e in appended)
                await hub.Clients.Group(e.Stream).Event(ConsoleAccess.ToDto(e));
        }
        finally
        {
            _order.Release();
        }
    }

    private string Serialize<T>(T value) => JsonSerializer.Serialize(value, json.Value.SerializerOptions);

    private static (string Type, object? Extra) Describe(TicketEvent e) => e switch
    {
        TicketEvent.Created => ("ticket.created", null),
        TicketEvent.ArticleAdded a => ("ticket.article", new { articleId = a.ArticleId, kind = Vocabulary.Name(a.Kind), visibility = Vocabulary.Name(a.Visibility), authorType = Vocabulary.Name(a.AuthorType) }),
        TicketEvent.StatusChanged s => ("ticket.status", new { from = Vocabulary.Name(s.From), to = Vocabulary.Name(s.To) }),
        TicketEvent.PriorityChanged p => ("ticket.priority", new { from = Vocabulary.Name(p.From), to = Vocabulary.Name(p.To) }),
        TicketEvent.Assigned => ("ticket.assigned", null),
        TicketEvent.TeamChanged => ("ticket.team", null),
        TicketEvent.TagsChanged => ("ticket.tags", null),
        _ => ("ticket.changed", null),
    };

    private static Task<string?> TeamNameAsync(HelpDeskDbContext db, Guid id, CancellationToken ct) =>
        db.Teams.Where(t => t.Id == id).Select(t => t.Name).SingleOrDefaultAsync(ct);

    /// <summary>The ticket as a queue row after the change (the console upserts it).</summary>
    private static async Task<QueueItemDto?> SnapshotAsync(HelpDeskDbContext db, Guid ticketId, CancellationToken ct) =>
        (await db.Tickets.AsNoTracking().Where(x => x.Id == ticketId).ToQueueItemsAsync(db, ct)).SingleOrDefault();
}
