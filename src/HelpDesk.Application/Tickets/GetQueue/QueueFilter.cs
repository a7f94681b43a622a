using FluentValidation;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Common;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Tickets.GetQueue;

/// <summary>
/// What a queue list asks for: a built-in view (see <see cref="QueueViews"/>) refined by filters and a sort. The
/// queue (<see cref="GetQueue"/>), the view counts and saved views all read it through <see cref="QueueFilters"/>.
/// </summary>
public interface IQueueFilter
{
    string? View { get; }
    string? Team { get; }
    IReadOnlyList<string>? Status { get; }
    string? Assignee { get; }
    string? Priority { get; }
    string? Sort { get; }
    /// <summary>Where the tickets came from (<see cref="Vocabulary.ChannelNames"/>); saved views do not store it yet.</summary>
    string? Channel => null;
}

/// <summary>The built-in views and sorts: names the API parses and the console offers.</summary>
public static class QueueViews
{
    public const string Open = "open";

    /// <summary>Built-in views in the order the console lists them, with their labels.</summary>
    public static IReadOnlyList<(string Name, string Label)> BuiltIn { get; } =
    [
        (Open, "Open work"), ("mine", "Mine"), ("unassigned", "Unassigned"), ("my-teams", "My teams"),
        ("pending", "Pending"), ("solved", "Solved"), ("closed", "Closed"), ("all", "All"),
    ];

    /// <summary><c>due</c>: nearest SLA due first; <c>updated</c>: most recently updated first; <c>created</c>: newest first.</summary>
    public static IReadOnlyList<string> Sorts { get; } = ["due", "updated", "created"];

    public static bool IsView(string? name) => name is null || BuiltIn.Any(v => v.Name == name);

    /// <summary>The statuses a view lists when no <c>status</c> is given.</summary>
    public static IReadOnlyList<TicketStatus> Statuses(string? view) => view switch
    {
        "pending" => [TicketStatus.Pending],
        "solved" => [TicketStatus.Solved],
        "closed" => [TicketStatus.Closed],
        "all" => Enum.GetValues<TicketStatus>(),
        _ => TicketStatuses.Open,
    };

    /// <summary>The assignee a view stands for when no <c>assignee</c> is given.</summary>
    public static string? Assignee(string? view) => view switch { "mine" => "me", "unassigned" => "none", _ => null };
}

/// <summary>The rules of every queue filter, included by the queue's and the saved views' validators (flat field names).</summary>
public sealed class QueueFilterValidator : AbstractValidator<IQueueFilter>
{
    public QueueFilterValidator()
    {
        RuleFor(q => q.View).Must(QueueViews.IsView)
            .WithMessage($"'view' must be one of {Vocabulary.ListOf(QueueViews.BuiltIn.Select(v => v.Name))}.");
        RuleForEach(q => q.Status).Must(s => Vocabulary.TryStatus(s, out _))
            .WithMessage($"'status' must be one of {Vocabulary.ListOf(Vocabulary.StatusNames)}.");
        RuleFor(q => q.Priority).Must(p => p is null || Vocabulary.TryPriority(p, out _))
            .WithMessage($"'priority' must be one of {Vocabulary.ListOf(Vocabulary.PriorityNames)}.");
        RuleFor(q => q.Assignee).Must(TicketQueries.IsAssigneeFilter).WithMessage(TicketQueries.AssigneeFilterMessage);
        RuleFor(q => q.Channel).Must(c => string.IsNullOrEmpty(c) || Vocabulary.TryChannel(c, out _))
            .WithMessage($"'channel' must be one of {Vocabulary.ListOf(Vocabulary.ChannelNames)}.");
        RuleFor(q => q.Sort).Must(s => s is null || QueueViews.Sorts.Contains(s))
            .WithMessage($"'sort' must be one of {Vocabulary.ListOf(QueueViews.Sorts)}.");
    }
}

/// <summary>
/// The tickets a filter selects, already narrowed to what the caller may see, with what the queue needs to read them in
/// order: the teams to read one by one, the statuses, and the sort in force.
/// </summary>
public sealed record FilteredQueue(IQueryable<Ticket> Tickets, IReadOnlyList<Guid> Teams, TicketStatus[] Statuses, string Sort)
{
    public bool WorkableOnly => Statuses.All(TicketStatuses.Open.Contains);
    public bool DoneOnly => Statuses.All(TicketStatuses.Done.Contains);
}

public sealed class QueueFilters(HelpDeskDbContext db, Caller caller)
{
    /// <summary>Above this many teams (or team × status ranges) one sorted read is cheaper than a read per team.</summary>
    public const int MaxMergedTeams = 32;

    /// <summary>
    /// The caller's tickets that <paramref name="filter"/> selects. Up to <see cref="MaxMergedTeams"/> teams are named in
    /// the query, even for an admin: a count then seeks each team's range of an index instead of scanning every ticket.
    /// </summary>
    public async Task<FilteredQueue> ApplyAsync(IQueueFilter filter, CancellationToken ct)
    {
        var visible = await caller.VisibleTeamsAsync(ct);
        IReadOnlyList<Guid> teams = visible?.ToList() ?? await db.Teams.Select(t => t.Id).ToListAsync(ct);
        if (filter.View == "my-teams" && await caller.AgentAsync(ct) is { } agent)
            teams = teams.Where(agent.TeamIds.Contains).ToList();
        if (filter.Team is { Length: > 0 } teamName)
        {
            var teamId = await db.TeamIdAsync(teamName, ct);
            teams = teamId is { } id && teams.Contains(id) ? [id] : [];
        }
        var restricted = visible is not null || filter.Team is { Length: > 0 } || filter.View == "my-teams";
        var tickets = db.Tickets.AsNoTracking().VisibleTo(restricted || teams.Count <= MaxMergedTeams ? teams : null);
        var statuses = filter.Status is { Count: > 0 } s ? s.Select(Vocabulary.ParseStatus).Distinct().ToArray() : [.. QueueViews.Statuses(filter.View)];
        if (statuses.All(TicketStatuses.Open.Contains))
        {
            // Open() is spelled as the queue index's filter (constants, same order), so SQLite sees the index applies.
            tickets = tickets.Open();
            if (statuses.Length < TicketStatuses.Open.Count) tickets = tickets.Where(t => statuses.Contains(t.Status));
        }
        else if (statuses.Length < Enum.GetValues<TicketStatus>().Length) tickets = tickets.Where(t => statuses.Contains(t.Status));
        if (filter.Priority is not null)
        {
            var priority = Vocabulary.ParsePriority(filter.Priority);
            tickets = tickets.Where(t => t.Priority == priority);
        }
        if (filter.Channel is { Length: > 0 })
        {
            var channel = Vocabulary.ParseChannel(filter.Channel);
            tickets = tickets.Where(t => t.Channel == channel);
        }
        tickets = await tickets.AssignedAsync(filter.Assignee ?? QueueViews.Assignee(filter.View), caller, db, ct);
        // Done work has no SLA to sort by; "all" mixes every status, which reads best newest change first.
        var sort = filter.Sort ?? (filter.View == "all" || statuses.All(TicketStatuses.Done.Contains) ? "updated" : "due");
        return new FilteredQueue(tickets, teams, statuses, sort);
    }
}
