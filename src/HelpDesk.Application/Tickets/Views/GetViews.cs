using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Tickets.GetQueue;
using Mediator;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Application.Tickets.Views;

/// <summary>
/// The built-in views and the caller's saved views, each with how many tickets it lists: the same filter and team
/// visibility as the queue (<see cref="QueueFilters"/>), so a count is always the <c>total</c> of the list it names.
/// </summary>
/// <param name="BuiltIn">False for the saved views only.</param>
public sealed record GetViews(bool BuiltIn = true) : IQuery<ViewsDto>;

/// <summary>A view and its count; <see cref="Query"/> is the query string of <c>GET /api/v1/tickets</c> that lists it.</summary>
public sealed record ViewCountDto(string Name, string Label, int Count, string Query);

public sealed record SavedViewCountDto(SavedViewDto View, int Count);

public sealed record ViewsDto(IReadOnlyList<ViewCountDto> BuiltIn, IReadOnlyList<SavedViewCountDto> Saved);

public sealed class GetViewsHandler(HelpDeskDbContext db, Caller caller, QueueFilters filters) : IQueryHandler<GetViews, ViewsDto>
{
    public async ValueTask<ViewsDto> Handle(GetViews query, CancellationToken ct)
    {
        var builtIn = new List<ViewCountDto>();
        foreach (var (name, label) in query.BuiltIn ? QueueViews.BuiltIn : [])
            builtIn.Add(new ViewCountDto(name, label, await CountAsync(new BuiltInView(name), ct), $"view={name}"));
        var saved = new List<SavedViewCountDto>();
        if (await caller.AgentAsync(ct) is { } agent)
            foreach (var view in await db.SavedViews.AsNoTracking().Where(v => v.AgentId == agent.Id).OrderBy(v => v.Name).ToListAsync(ct))
                saved.Add(new SavedViewCountDto(SavedViewDto.From(view), await CountAsync(view, ct)));
        return new ViewsDto(builtIn, saved);
    }

    private async Task<int> CountAsync(IQueueFilter filter, CancellationToken ct) => await (await filters.ApplyAsync(filter, ct)).Tickets.CountAsync(ct);

    private sealed record BuiltInView(string View) : IQueueFilter
    {
        public string? Team => null;
        public IReadOnlyList<string>? Status => null;
        public string? Assignee => null;
        public string? Priority => null;
        public string? Sort => null;
    }
}
