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
                return ETags.WithETag(http, mailbox, mailbox.Version);
            })
            .WithSummary("One mailbox with its ETag (leads, admins)").Produces<MailboxDto>();
        group.MapPost("", async (MailboxWrite body, HttpContext http, MailboxAdmin admin, CancellationToken ct) =>
            {
                var mailbox = await admin.CreateAsync(body, ct);
                http.Response.Headers.Location = $"/api/v1/mailboxes/{mailbox.Id}";
                return ETags.WithETag(http, mailbox, mailbox.Version, StatusCodes.Status201Created);
            })
            .WithSummary("Add a mailbox; passwords are write-only and stored encrypted (admins)").Produces<MailboxDto>(201).ProducesValidationProblem();
        group.MapPut("/{id}", async (string id, MailboxWrite body, HttpContext http, MailboxAdmin admin, CancellationToken ct) =>
            {
                var mailbox = await admin.UpdateAsync(id, ETags.IfMatch(http.Request), body, ct);
                return ETags.WithETag(http, mailbox, mailbox.Version);
            })
            .WithSummary("Replace a stored mailbox's settings (enable/disable too); If-Match required; a password left out is kept (admins)")
            .Produces<MailboxDto>().ProducesValidationProblem().ProducesProblem(412).ProducesProblem(428);
        group.MapDelete("/{id}", async (string id, HttpContext http, MailboxAdmin admin, CancellationToken ct) =>
            {
                await admin.DeleteAsync(id, ETags.IfMatch(http.Request), ct);
                return Results.NoContent();
            })
            .WithSummary("Delete a stored mailbox; If-Match required; the mail it brought stays (admins)").ProducesProblem(412).ProducesProblem(428);
        group.MapPost("/{id}/test", async (string id, HttpContext http, MailboxAdmin admin, CancellationToken ct) =>
                Results.Ok(await admin.TestAsync(id, await OptionalBodyAsync(http, ct), ct)))
            .Accepts<MailboxWrite>("application/json")
            .WithSummary("Test a mailbox's IMAP and SMTP connection: its saved settings, or the edited ones in the body (a password left out is the saved one) (admins)")
            .Produces<ConnectionTestResult>();
        group.MapPost("/test", async (MailboxWrite body, MailboxAdmin admin, CancellationToken ct) => Results.Ok(await admin.TestAsync(null, body, ct)))
            .WithSummary("Test unsaved mailbox settings: IMAP and SMTP, each with ok or what failed (admins)").Produces<ConnectionTestResult>();
        return api;
    }

    /// <summary>The edited settings in the body, or null without one; a body that is not this shape is a 400, as for bound bodies.</summary>
    private static async Task<MailboxWrite?> OptionalBodyAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength is null or 0 && !http.Request.Headers.TransferEncoding.Any()) return null;
        try
        {
            return await http.Request.ReadFromJsonAsync<MailboxWrite>(ct);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new BadHttpRequestException($"The body is not valid mailbox settings: {ex.Message}", StatusCodes.Status400BadRequest, ex);
        }
    }
}
