using HelpDesk.Application.Tickets.GetQueue;
using NodaTime;

namespace HelpDesk.Application.Tickets.Views;

/// <summary>
/// An agent's named queue filter (a built-in view refined by filters, and a sort). Only its owner lists, counts or
/// deletes it; <c>assignee=me</c> means the owner. The filters are stored as the API spells them and read back through
/// <see cref="QueueFilters"/>, so a saved view selects exactly what the same query string would.
/// </summary>
public sealed class SavedView : IQueueFilter
{
    public Guid Id { get; set; }
    public Guid AgentId { get; set; }
    public string Name { get; set; } = "";
    public string? View { get; set; }
    public string? Team { get; set; }
    /// <summary>Status names, comma-separated; null for the view's own.</summary>
    public string? Statuses { get; set; }
    public string? Assignee { get; set; }
    public string? Priority { get; set; }
    public string? Sort { get; set; }
    public Instant CreatedAt { get; set; }

    IReadOnlyList<string>? IQueueFilter.Status => Statuses?.Split(',');
}
