using HelpDesk.Application.Common;

namespace HelpDesk.Web.Endpoints;

/// <summary>The words the API uses (statuses, priorities, SLA clocks) with their labels: the console renders these rather than its own lists.</summary>
public static class VocabularyEndpoints
{
    private static readonly VocabularyDto Words = Vocabulary.Describe();

    public static RouteGroupBuilder MapVocabularyEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/vocabulary", () => Results.Ok(Words))
            .WithTags("Vocabulary")
            .WithSummary("Ticket statuses (and which are open work), priorities and SLA clocks, with their labels, in display order")
            .Produces<VocabularyDto>();
        return api;
    }
}
