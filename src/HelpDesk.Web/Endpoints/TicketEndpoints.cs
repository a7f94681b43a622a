using HelpDesk.Application.Tickets;
using HelpDesk.Application.Tickets.AddReply;
using HelpDesk.Application.Tickets.AssignTicket;
using HelpDesk.Application.Tickets.ChangePriority;
using HelpDesk.Application.Tickets.ChangeStatus;
using HelpDesk.Application.Tickets.ClaimTicket;
using HelpDesk.Application.Tickets.CreateTicket;
using HelpDesk.Application.Tickets.GetArticles;
using HelpDesk.Application.Tickets.GetCustomerHistory;
using HelpDesk.Application.Tickets.GetQueue;
using HelpDesk.Application.Tickets.GetTicket;
using HelpDesk.Application.Tickets.GetTicketSla;
using HelpDesk.Application.Tickets.Views;
using Mediator;

namespace HelpDesk.Web.Endpoints;

public static class TicketEndpoints
{
    public sealed record CreateTicketRequest(string? Subject, string? Body, RequesterInput? Requester, string? Priority, string? Team, string? Channel,
        FirstReplyInput? FirstReply);
    public sealed record ReplyRequest(string? Body, string? Visibility, int? ExpectedVersion, IReadOnlyList<string>? Cc);
    public sealed record StatusRequest(string? Status);
    public sealed record PriorityRequest(string? Priority);
    public sealed record AssignmentRequest(string? Agent);
    public sealed record SaveViewRequest(string? Name, string? View, string? Team, IReadOnlyList<string>? Status, string? Assignee, string? Priority, string? Sort);
    public sealed record TagsRequest(IReadOnlyList<string>? Add, IReadOnlyList<string>? Remove);

    public static RouteGroupBuilder MapTicketEndpoints(this RouteGroupBuilder api)
    {
        var tickets = api.MapGroup("/tickets").WithTags("Tickets");

        tickets.MapPost("/", async (CreateTicketRequest r, IMediator m, CancellationToken ct) =>
        {
            var ticket = await m.Send(new CreateTicket(r.Subject, r.Body, r.Requester, r.Priority, r.Team, r.Channel, r.FirstReply), ct);
            return Results.Created(TicketLocation(ticket), ticket);
        }).Idempotent<TicketDto>(TicketLocation)
            .WithSummary("Open a ticket for a customer (channel email, phone, web or api; optional first reply); an Idempotency-Key makes a retry return the first answer").Produces<TicketDto>(201);

        tickets.MapGet("/", async (string? view, string? team, string[]? status, string? assignee, string? priority, string? sort, int? limit, int? offset,
                string? channel, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetQueue(team, status, assignee, priority, limit ?? 50, offset ?? 0, view, sort, channel), ct)))
            .WithSummary("The queue: a view (open work by default; mine, unassigned, my-teams, pending, solved, closed, all) of your teams' tickets, refined by team, status, assignee, priority, channel; paged with the exact total")
            .Produces<QueuePage>();

        var views = api.MapGroup("/views").WithTags("Views");
        views.MapGet("/", async (IMediator m, CancellationToken ct) => Results.Ok(await m.Send(new GetViews(), ct)))
            .WithSummary("The built-in views and your saved views, each with its ticket count").Produces<ViewsDto>();
        views.MapGet("/saved", async (IMediator m, CancellationToken ct) => Results.Ok((await m.Send(new GetViews(BuiltIn: false), ct)).Saved))
            .WithSummary("Your saved views with their counts").Produces<IReadOnlyList<SavedViewCountDto>>();
        views.MapPost("/saved", async (SaveViewRequest r, IMediator m, CancellationToken ct) =>
        {
            var saved = await m.Send(new SaveView(r.Name, r.View, r.Team, r.Status, r.Assignee, r.Priority, r.Sort), ct);
            return Results.Created($"/api/v1/views/saved/{saved.Id}", saved);
        }).WithSummary("Save filters and a sort under a name (the same name replaces that view)").Produces<SavedViewDto>(201);
        views.MapDelete("/saved/{id:guid}", async (Guid id, IMediator m, CancellationToken ct) =>
        {
            await m.Send(new DeleteView(id), ct);
            return Results.NoContent();
        }).WithSummary("Delete one of your saved views").Produces(204);

        tickets.MapGet("/{number:int}", async (int number, IMediator m, CancellationToken ct) => Results.Ok(await m.Send(new GetTicket(number), ct)))
            .WithSummary("One ticket").Produces<TicketDto>();

        tickets.MapGet("/{number:int}/articles", async (int number, IMediator m, CancellationToken ct) => Results.Ok(await m.Send(new GetArticles(number), ct)))
            .WithSummary("The ticket's thread, oldest first").Produces<IReadOnlyList<ArticleDto>>();

        tickets.MapPost("/{number:int}/replies", async (int number, ReplyRequest r, IMediator m, CancellationToken ct) =>
        {
            var result = await m.Send(new AddReply(number, r.Body, r.Visibility, r.ExpectedVersion, r.Cc), ct);
            return Results.Created(ArticlesLocation(result), result);
        }).Idempotent<ReplyResult>(ArticlesLocation)
            .WithSummary("Reply (public, cc adds participants who are copied from now on) or add an internal note; expectedVersion refuses a stale reply with 409; an Idempotency-Key makes a retry return the first answer")
            .Produces<ReplyResult>(201);

        tickets.MapPost("/{number:int}/status", async (int number, StatusRequest r, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new ChangeStatus(number, r.Status), ct))).WithSummary("Change the status").Produces<TicketDto>();

        tickets.MapPost("/{number:int}/priority", async (int number, PriorityRequest r, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new ChangePriority(number, r.Priority), ct))).WithSummary("Change the priority").Produces<TicketDto>();

        tickets.MapPost("/{number:int}/assignment", async (int number, AssignmentRequest r, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new AssignTicket(number, r.Agent), ct))).WithSummary("Assign to an agent (by e-mail) or unassign (null)").Produces<TicketDto>();

        tickets.MapPost("/{number:int}/claim", async (int number, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new ClaimTicket(number), ct))).WithSummary("Take an unassigned ticket").Produces<TicketDto>();

        tickets.MapPost("/{number:int}/tags", async (int number, TagsRequest r, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new Application.Tickets.TagTicket.TagTicket(number, r.Add, r.Remove), ct))).WithSummary("Add and remove tags").Produces<TicketDto>();

        tickets.MapGet("/{number:int}/sla", async (int number, IMediator m, CancellationToken ct) =>
        {
            var sla = await m.Send(new GetTicketSla(number), ct);
            return Results.Text(TicketSlaJson.Write(sla), "application/json");
        }).WithSummary("Every SLA cycle with its explanation, in the shape of `helpdesk sla simulate`");

        tickets.MapGet("/{number:int}/sla/scenario", async (int number, IMediator m, CancellationToken ct) =>
            await m.Send(new GetTicketSlaScenario(number), ct) is { } scenario
                ? Results.Text(scenario, "application/json")
                : Results.Problem(statusCode: 404, title: "Not found", detail: $"Ticket #{number} has no SLA policy, so there is nothing to simulate."))
            .WithSummary("The ticket's SLA as a `helpdesk sla simulate` scenario (its events, the terms in force now)");

        api.MapGet("/customers", async (string? q, int? limit, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new Application.Tickets.FindCustomers.FindCustomers(q, limit ?? 10), ct))).WithTags("Customers")
            .WithSummary("Customers whose address starts with or whose name contains q (the requester typeahead); only those with a ticket in your teams")
            .Produces<IReadOnlyList<Application.Tickets.FindCustomers.CustomerDto>>();
        api.MapGet("/customers/{email}/history", async (string email, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetCustomerHistory(email), ct))).WithTags("Customers")
            .WithSummary("A customer's other tickets").Produces<CustomerHistoryDto>();
        return api;
    }

    private static string TicketLocation(TicketDto ticket) => $"/api/v1/tickets/{ticket.Number}";

    private static string ArticlesLocation(ReplyResult reply) => $"/api/v1/tickets/{reply.Ticket.Number}/articles";
}
