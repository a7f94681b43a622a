using HelpDesk.Application.Common;
using HelpDesk.Application.Mail.Admin;
using HelpDesk.Application.Tickets.GetArticles;
using HelpDesk.Domain.Agents;
using HelpDesk.Mail.Inbound;
using Mediator;

namespace HelpDesk.Web.Endpoints;

/// <summary>Mail endpoints: attachments of a ticket, the quarantine (admins) and reprocessing.</summary>
public static class MailEndpoints
{
    /// <summary>
    /// The mailgate hand-off (the rt-mailgate way): <c>helpdesk mailgate</c> posts the raw bytes here when
    /// HelpDesk:Mail:MailgateUrl is set, so a process per message needs no database start-up. Loopback callers that no
    /// proxy forwarded (the same trust as piping into the mailgate on this machine), or callers with the shared secret
    /// HelpDesk:Mail:MailgateSecret (<see cref="Hosting.ReverseProxy.IsTrustedMailgateCaller"/>). Concurrent hand-offs are ingested together
    /// (<see cref="MailgateCombiner"/>).
    /// </summary>
    public static void MapMailgateHandoff(this IEndpointRouteBuilder app) =>
        app.MapPost("/mailgate", async (HttpContext http, string? mailbox, MailgateCombiner combiner, Microsoft.Extensions.Options.IOptions<Application.Mail.MailOptions> mail,
            CancellationToken ct) =>
        {
            if (!Hosting.ReverseProxy.IsTrustedMailgateCaller(http, mail.Value.MailgateSecret)) return Results.StatusCode(StatusCodes.Status403Forbidden);
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer, ct);
            var raw = buffer.ToArray();
            if (!MailParsing.LooksLikeMail(raw)) return Results.StatusCode(StatusCodes.Status422UnprocessableEntity);
            var outcome = await combiner.IngestAsync(mailbox ?? MailIngestor.MailgateMailbox, raw, "mailgate", ct);
            return Results.Json(new Dictionary<string, object?> { ["outcome"] = outcome.Outcome, ["ticket"] = outcome.Ticket, ["article"] = outcome.Article, ["reason"] = outcome.Reason });
        }).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();

    public static void MapMailEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/tickets/{number:int}/articles/with-remote-images", async (int number, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetArticles(number, RemoteImages: true), ct)))
            .WithSummary("The articles with remote images loaded in their HTML (blocked by default)");
        api.MapGet("/tickets/{number:int}/articles/{id:guid}/html", async (int number, Guid id, IMediator m, CancellationToken ct) =>
            (await m.Send(new GetArticles(number), ct)).FirstOrDefault(a => a.Id == id)?.BodyHtml is { } html
                ? (IResult)new ArticleHtml(html)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No HTML body", detail: $"Ticket #{number} has no article {id} with an HTML body."))
            .WithSummary("An article's sanitised HTML as a page of its own, for the console's sandboxed frame (its own CSP: inline styles, no scripts)");
        api.MapGet("/tickets/{number:int}/attachments/{id:guid}", async (int number, Guid id, IMediator m, CancellationToken ct) =>
        {
            var file = await m.Send(new GetAttachment(number, id), ct);
            // Always a download: an attachment never renders as a page of ours (no stored XSS through text/html files).
            return Results.File(file.Content, "application/octet-stream", file.FileName);
        }).WithSummary("Download an attachment");
        api.MapGet("/mail/quarantine", async (string? reason, int? limit, QuarantineTriage triage, CancellationToken ct) =>
            Results.Ok(await triage.ListAsync(reason, limit ?? 100, ct)))
            .WithSummary("Quarantined inbound mail with why it failed, newest first; filter by reason class (admins)");
        api.MapPost("/mail/quarantine/reprocess", async (ReprocessQuarantine request, QuarantineTriage triage, CancellationToken ct) =>
            Results.Ok(await triage.ReprocessAsync(request, ct)))
            .WithSummary("Process quarantined messages again from their raw bytes: ids or a reason class, optional sender fixes; a result per message (admins)");
        api.MapPost("/mail/quarantine/discard", async (DiscardQuarantine request, QuarantineTriage triage, CancellationToken ct) =>
            Results.Ok(await triage.DiscardAsync(request, ct)))
            .WithSummary("Take quarantined messages out of the list; their raw bytes are kept for audit (admins)");
        api.MapPost("/mail/quarantine/{id:guid}/reprocess", async (Guid id, Caller caller, MailIngestor ingestor, CancellationToken ct) =>
        {
            await caller.RequireRoleAsync(AgentRole.Admin, ct);
            return Results.Ok(await ingestor.ReprocessAsync(id, ct));
        }).WithSummary("Process a quarantined message again from its raw bytes (admins)");
    }

    /// <summary>
    /// A message's HTML for a sandboxed frame of the console: the mail's own inline styles may apply (it is not our page,
    /// and it runs in an opaque origin), but no script, no plugin, no form, nothing from elsewhere, and only we may frame it.
    /// </summary>
    private sealed class ArticleHtml(string html) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            var headers = http.Response.Headers;
            headers.CacheControl = "private, no-store";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; sandbox; base-uri 'none'; " +
                                            $"form-action 'none'; frame-ancestors 'self'; report-uri {Hosting.SecurityHeaders.ReportPath}";
            return Results.Content($"<!doctype html><meta charset=\"utf-8\">{html}", "text/html; charset=utf-8").ExecuteAsync(http);
        }
    }
}
