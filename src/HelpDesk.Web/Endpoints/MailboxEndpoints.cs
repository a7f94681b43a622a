using HelpDesk.Mail.Mailboxes;

namespace HelpDesk.Web.Endpoints;

/// <summary>Mailboxes (docs/email.md, "Mailboxes"): leads read, admins write and test. Writes carry the ETag as If-Match.</summary>
public static class MailboxEndpoints
{
    public static RouteGroupBuilder MapMailboxEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/mailboxes").WithTags("Mailboxes");
        group.MapGet("", async (MailboxAdmin admin, CancellationToken ct) => Results.Ok(await admin.ListAsync(ct)))
            .WithSummary("Every mailbox: configured ones (read-only) and stored ones, with their status; never a password (leads, admins)")
            .Produces<IReadOnlyList<MailboxDto>>();
        group.MapGet("/{id}", async (string id, HttpContext http, MailboxAdmin admin, CancellationToken ct) =>
            {
                var mailbox = await admin.GetAsync(id, ct);
                return http.Tagged(mailbox, mailbox.Version);
            })
            .WithSummary("One mailbox with its ETag (leads, admins)").Produces<MailboxDto>();
        group.MapPost("", async (MailboxWrite body, HttpContext http, MailboxAdmin admin, CancellationToken ct) =>
            {
                var mailbox = await admin.CreateAsync(body, ct);
                http.Response.Headers.Location = $"/api/v1/mailboxes/{mailbox.Id}";
                return http.Tagged(mailbox, mailbox.Version, StatusCodes.Status201Created);
            })
            .WithSummary("Add a mailbox; passwords are write-only and stored encrypted (admins)").Produces<MailboxDto>(201).ProducesValidationProblem();
        group.MapPut("/{id}", async (string id, MailboxWrite body, HttpContext http, MailboxAdmin admin, CancellationToken ct) =>
            {
                var mailbox = await admin.UpdateAsync(id, http.IfMatch(), body, ct);
                return http.Tagged(mailbox, mailbox.Version);
            })
            .WithSummary("Replace a stored mailbox's settings (enable/disable too); If-Match required; a password left out is kept (admins)")
            .Produces<MailboxDto>().ProducesValidationProblem().ProducesProblem(412).ProducesProblem(428);
        group.MapDelete("/{id}", async (string id, HttpContext http, MailboxAdmin admin, CancellationToken ct) =>
            {
                await admin.DeleteAsync(id, http.IfMatch(), ct);
                return Results.NoContent();
            })
            .WithSummary("Delete a stored mailbox; If-Match required; the mail it brought stays (admins)").ProducesProblem(412).ProducesProblem(428);
        // The body is optional (absent: the saved settings); a body of the wrong shape is the framework's 400, as on every route.
        group.MapPost("/{id}/test", async (string id, MailboxWrite? body, MailboxAdmin admin, CancellationToken ct) =>
                Results.Ok(await admin.TestAsync(id, body, ct)))
            .WithSummary("Test a mailbox's IMAP and SMTP connection: its saved settings, or the edited ones in the body (a password left out is the saved one) (admins)")
            .Produces<ConnectionTestResult>();
        group.MapPost("/test", async (MailboxWrite body, MailboxAdmin admin, CancellationToken ct) => Results.Ok(await admin.TestAsync(null, body, ct)))
            .WithSummary("Test unsaved mailbox settings: IMAP and SMTP, each with ok or what failed (admins)").Produces<ConnectionTestResult>();
        return api;
    }
}
