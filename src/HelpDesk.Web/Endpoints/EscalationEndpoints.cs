using HelpDesk.Application.Escalation;
using HelpDesk.Application.Escalation.GetEscalationRules;
using HelpDesk.Application.Escalation.PutEscalationRule;
using HelpDesk.Application.Notifications;
using HelpDesk.Application.Notifications.GetNotifications;
using HelpDesk.Application.Notifications.MarkNotificationRead;
using Mediator;

namespace HelpDesk.Web.Endpoints;

public static class EscalationEndpoints
{
    public static RouteGroupBuilder MapEscalationEndpoints(this RouteGroupBuilder api)
    {
        api.MapPut("/escalation-rules/{name}", async (string name, EscalationRuleBody body, HttpContext http, IMediator m, CancellationToken ct) =>
            {
                var rule = await m.Send(new PutEscalationRule(name, body, http.IfMatch()), ct);
                return http.Tagged(rule, rule.Version);
            })
            .WithTags("Configuration").WithSummary("Create or replace an escalation rule (admin)").Produces<EscalationRuleDto>().WithIfMatch();

        // The one rule, as the list shows it to the caller (another team's rule is not found).
        api.MapGet("/escalation-rules/{name}", async (string name, HttpContext http, IMediator m, CancellationToken ct) =>
            {
                var rule = (await m.Send(new GetEscalationRules(), ct)).FirstOrDefault(r => string.Equals(r.Name, name.Trim(), StringComparison.OrdinalIgnoreCase))
                    ?? throw new Application.Common.NotFoundException($"There is no escalation rule '{name}'.");
                return http.Tagged(rule, rule.Version);
            })
            .WithTags("Configuration").WithSummary("One escalation rule, with its ETag").Produces<EscalationRuleDto>();

        api.MapGet("/escalation-rules", async (IMediator m, CancellationToken ct) => Results.Ok(await m.Send(new GetEscalationRules(), ct)))
            .WithTags("Configuration").WithSummary("The escalation rules in the order they are tried").Produces<IReadOnlyList<EscalationRuleDto>>();

        api.MapGet("/notifications", async (bool? unread, int? limit, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetNotifications(unread ?? false, limit ?? 50), ct)))
            .WithTags("Notifications").WithSummary("Your and your teams' notifications, newest first").Produces<IReadOnlyList<NotificationDto>>();

        api.MapPost("/notifications/{id:guid}/read", async (Guid id, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new MarkNotificationRead(id), ct)))
            .WithTags("Notifications").WithSummary("Mark a notification read").Produces<NotificationDto>();
        return api;
    }
}
