using HelpDesk.Application.Search.SearchTickets;
using Mediator;

namespace HelpDesk.Web.Endpoints;

public static class SearchEndpoints
{
    public static RouteGroupBuilder MapSearchEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/search", async (string? q, string[]? status, string? team, string? assignee, string? requester, string? tag, string? priority,
                string? createdFrom, string? createdTo, string? updatedFrom, string? updatedTo, string? page, string? pageSize, string? channel, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new SearchTickets(q, status, team, assignee, requester, tag, priority, createdFrom, createdTo, updatedFrom, updatedTo,
                page, pageSize, channel), ct)))
            .WithTags("Search")
            .WithSummary("Full-text search over the tickets of your teams: ranked, paged without a cap, snippets as text segments (docs/search.md)")
            .Produces<SearchPage>();
        return api;
    }
}
