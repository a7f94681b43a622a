using HelpDesk.Application.Common;
using HelpDesk.Application.Mail.Admin;
using HelpDesk.Application.Tickets.GetArticles;
using HelpDesk.Domain.Agents;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Outbound;
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
        api.MapGet("/mail/quarantine", async (string? reason, string? mailbox, int? offset, int? limit, QuarantineTriage triage, CancellationToken ct) =>
            Results.Ok(await triage.ListAsync(reason, limit ?? 100, ct, offset ?? 0, mailbox)))
            .WithSummary("Quarantined inbound mail with why it failed, newest first; filter by reason class and mailbox, page with offset and limit (admins)");
        api.MapGet("/mail/quarantine/{id:guid}", async (Guid id, QuarantineTriage triage, CancellationToken ct) => Results.Ok(await triage.GetAsync(id, ct)))
            .WithSummary("One quarantined message: its header block, bodies (HTML sanitised, remote images blocked) and files, or why it cannot be read (admins)")
            .Produces<QuarantinedMailDetailDto>();
        api.MapGet("/mail/outbox", async (string? state, string? kind, int? ticket, string? to, int? offset, int? limit, OutboxAdmin outbox, CancellationToken ct) =>
            Results.Ok(await outbox.ListAsync(state, kind, ticket, to, offset ?? 0, limit ?? 50, ct)))
            .WithSummary("Outgoing mail, newest first; filter by state (pending, sent, failed, cancelled), kind, ticket and recipient; page with offset and limit (leads, admins)")
            .Produces<Page<OutboxMailDto>>();
        api.MapGet("/mail/outbox/{id:guid}", async (Guid id, OutboxAdmin outbox, CancellationToken ct) => Results.Ok(await outbox.GetAsync(id, ct)))
            .WithSummary("One outgoing mail with its text and threading headers (leads, admins)").Produces<OutboxMailDetailDto>();
        api.MapPost("/mail/outbox/{id:guid}/retry", async (Guid id, OutboxAdmin outbox, CancellationToken ct) => Results.Ok(await outbox.RetryAsync(id, ct)))
            .WithSummary("Send a failed or waiting mail on the sender's next pass (admins)").Produces<OutboxMailDto>();
        api.MapPost("/mail/outbox/{id:guid}/cancel", async (Guid id, OutboxAdmin outbox, CancellationToken ct) => Results.Ok(await outbox.CancelAsync(id, ct)))
            .WithSummary("Stop a failed or waiting mail for good (admins)").Produces<OutboxMailDto>();
        api.MapGet("/mail/counts", async (OutboxAdmin outbox, CancellationToken ct) => Results.Ok(await outbox.CountsAsync(ct)))
            .WithSummary("The outbox by state and the quarantine by reason class, for the admin home (leads, admins)").Produces<MailCounts>();
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
