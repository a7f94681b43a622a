using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Application.Mail;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HelpDesk.Mail.Tests.Api;

/// <summary>Mailboxes stored in the database (docs/email.md, "Mailboxes"), against real Dovecot and Postfix.</summary>
[Collection(MailServerCollection.Name)]
public sealed class MailboxApiTests(MailServerFixture servers)
{
    private const string ImapSecret = "Imap-S3cret-never-shown";
    private const string SmtpSecret = "Smtp-S3cret-never-shown";

    private object Mailbox(string name, string folder = "INBOX", string imapPassword = MailServers.Password, int? imapPort = null, bool smtp = false,
        string smtpPassword = MailServers.Password, bool enabled = true) => new
    {
        name, enabled,
        imap = new { host = "127.0.0.1", port = imapPort ?? servers.ImapPort, useTls = false, username = "support", password = imapPassword, folder, team = "support" },
        smtp = smtp ? new { host = "127.0.0.1", port = servers.SmtpPort, useTls = false, username = "support", password = smtpPassword } : null,
    };

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string path, object? body = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (ifMatch is not null) request.Headers.IfMatch.Add(new EntityTagHeaderValue(ifMatch));
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task Round_trip_keeps_passwords_write_only_encrypted_and_refuses_a_stale_write()
    {
        using var desk = new MailDeskFactory(new Dictionary<string, string?>
        {
            ["HelpDesk:Mail:Imap:0:Name"] = "from-file", ["HelpDesk:Mail:Imap:0:Host"] = "", ["HelpDesk:Mail:Imap:0:Username"] = "file@example.test",
        });
        var admin = await desk.AgentClientAsync("admin@example.test", "admin", "support");
        var answers = new List<string>();
        async Task<JsonElement> Read(HttpResponseMessage r, HttpStatusCode expected)
        {
            var text = await r.Content.ReadAsStringAsync();
            answers.Add(text);
            r.StatusCode.Should().Be(expected, text);
            return JsonDocument.Parse(text).RootElement;
        }

        var created = await SendAsync(admin, HttpMethod.Post, "/api/v1/mailboxes", Mailbox("sales", imapPassword: ImapSecret, smtp: true, smtpPassword: SmtpSecret));
        var mailbox = await Read(created, HttpStatusCode.Created);
        created.Headers.ETag!.Tag.Should().Be("\"1\"");
        var id = mailbox.GetProperty("id").GetString()!;
        created.Headers.Location!.ToString().Should().Be($"/api/v1/mailboxes/{id}");
        mailbox.GetProperty("source").GetString().Should().Be("database");
        mailbox.GetProperty("imap").GetProperty("passwordSet").GetBoolean().Should().BeTrue();
        mailbox.GetProperty("smtp").GetProperty("passwordSet").GetBoolean().Should().BeTrue();
        mailbox.GetProperty("imap").TryGetProperty("password", out _).Should().BeFalse();
        mailbox.GetProperty("status").GetProperty("state").GetString().Should().Be("never_fetched");

        var list = (await Read(await admin.GetAsync("/api/v1/mailboxes"), HttpStatusCode.OK)).EnumerateArray().ToList();
        list.Select(m => (m.GetProperty("name").GetString(), m.GetProperty("source").GetString(), m.GetProperty("readOnly").GetBoolean()))
            .Should().Equal(("from-file", "configuration", true), ("sales", "database", false));
        var read = await admin.GetAsync($"/api/v1/mailboxes/{id}");
        (await Read(read, HttpStatusCode.OK)).GetProperty("imap").GetProperty("folder").GetString().Should().Be("INBOX");
        read.Headers.ETag!.Tag.Should().Be("\"1\"");

        // Edit without the password: the stored one is kept; the version moves on.
        var edit = Mailbox("sales", folder: "Sales", smtp: true, smtpPassword: SmtpSecret);
        var edited = await Read(await SendAsync(admin, HttpMethod.Put, $"/api/v1/mailboxes/{id}",
            new { name = "sales", enabled = false, imap = new { host = "127.0.0.1", port = servers.ImapPort, useTls = false, username = "support", folder = "Sales" } }, "\"1\""),
            HttpStatusCode.OK);
        edited.GetProperty("version").GetInt32().Should().Be(2);
        edited.GetProperty("enabled").GetBoolean().Should().BeFalse();
        edited.GetProperty("imap").GetProperty("folder").GetString().Should().Be("Sales");
        edited.GetProperty("imap").GetProperty("passwordSet").GetBoolean().Should().BeTrue();
        edited.GetProperty("status").GetProperty("state").GetString().Should().Be("disabled");

        var stale = await Read(await SendAsync(admin, HttpMethod.Put, $"/api/v1/mailboxes/{id}", edit, "\"1\""), HttpStatusCode.PreconditionFailed);
        stale.GetProperty("field").GetString().Should().Be("If-Match");
        (await Read(await SendAsync(admin, HttpMethod.Put, $"/api/v1/mailboxes/{id}", edit), (HttpStatusCode)428)).GetProperty("field").GetString().Should().Be("If-Match");
        (await SendAsync(admin, HttpMethod.Put, "/api/v1/mailboxes/configuration:from-file", edit, "\"1\"")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var invalid = await Read(await SendAsync(admin, HttpMethod.Post, "/api/v1/mailboxes", new { name = "from-file", imap = new { port = 0 } }), HttpStatusCode.BadRequest);
        invalid.GetProperty("errors").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("name", "imap.host", "imap.port", "imap.username");

        // At rest: a Data Protection payload, and the key ring is in the database for every node.
        var stored = await desk.DbAsync(db => db.Set<StoredMailbox>().SingleAsync());
        stored.ImapPasswordProtected.Should().NotBeNullOrEmpty().And.NotContain(ImapSecret);
        stored.SmtpPasswordProtected.Should().NotBeNullOrEmpty().And.NotContain(SmtpSecret);
        (await desk.DbAsync(db => db.Set<DataProtectionKeyRecord>().CountAsync())).Should().BeGreaterThan(0);
        var secrets = desk.Services.GetRequiredService<Mailboxes.MailboxSecrets>();
        secrets.Unprotect(stored.ImapPasswordProtected, out _).Should().Be(ImapSecret);

        (await Read(await SendAsync(admin, HttpMethod.Delete, $"/api/v1/mailboxes/{id}", ifMatch: "\"1\""), HttpStatusCode.PreconditionFailed)).GetProperty("status").GetInt32().Should().Be(412);
        (await SendAsync(admin, HttpMethod.Delete, $"/api/v1/mailboxes/{id}", ifMatch: "\"2\"")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await admin.GetAsync($"/api/v1/mailboxes/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        answers.Should().NotContain(a => a.Contains(ImapSecret) || a.Contains(SmtpSecret));
    }

    [Fact]
    public async Task Adding_editing_and_deleting_a_mailbox_is_audited_with_who_and_what_but_never_a_password()
    {
        using var desk = new MailDeskFactory();
        var admin = await desk.AgentClientAsync("admin@example.test", "admin", "support");
        var created = await SendAsync(admin, HttpMethod.Post, "/api/v1/mailboxes", Mailbox("billing", imapPassword: ImapSecret, smtp: true, smtpPassword: SmtpSecret));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        (await SendAsync(admin, HttpMethod.Put, $"/api/v1/mailboxes/{id}",
            new { enabled = false, imap = new { host = "127.0.0.1", port = servers.ImapPort, useTls = false, username = "support", password = "", folder = "Billing" } }, "\"1\""))
            .StatusCode.Should().Be(HttpStatusCode.OK);
        (await SendAsync(admin, HttpMethod.Delete, $"/api/v1/mailboxes/{id}", ifMatch: "\"2\"")).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var text = await admin.GetStringAsync("/api/v1/audit-log?action=mailbox.");
        var rows = JsonDocument.Parse(text).RootElement.GetProperty("items").EnumerateArray().ToList();
        rows.Select(r => (r.GetProperty("action").GetString(), r.GetProperty("target").GetString(), r.GetProperty("actor").GetString()))
            .Should().Equal(("mailbox.deleted", "billing", "admin@example.test"), ("mailbox.changed", "billing", "admin@example.test"),
                ("mailbox.created", "billing", "admin@example.test"));
        var changed = rows[1];
        var before = JsonDocument.Parse(changed.GetProperty("before").GetString()!).RootElement;
        var after = JsonDocument.Parse(changed.GetProperty("after").GetString()!).RootElement;
        (before.GetProperty("enabled").GetBoolean(), after.GetProperty("enabled").GetBoolean()).Should().Be((true, false));
        (before.GetProperty("folder").GetString(), after.GetProperty("folder").GetString()).Should().Be(("INBOX", "Billing"));
        // The IMAP password was removed (an empty one): the row says so, and shows no payload.
        (before.GetProperty("imapPasswordSet").GetBoolean(), after.GetProperty("imapPasswordSet").GetBoolean()).Should().Be((true, false));
        after.GetProperty("smtpPasswordSet").GetBoolean().Should().BeTrue();
        text.Should().NotContain(ImapSecret).And.NotContain(SmtpSecret).And.NotContain("Protected").And.NotContain("CfDJ8", "no Data Protection payload");
        var csv = await admin.GetStringAsync("/api/v1/audit-log?action=mailbox.&format=csv");
        csv.Should().NotContain(ImapSecret).And.NotContain("CfDJ8");
    }

    [Fact]
    public async Task Agents_are_refused_and_leads_only_read()
    {
        using var desk = new MailDeskFactory();
        var admin = await desk.AgentClientAsync("admin@example.test", "admin", "support");
        var lead = await desk.AgentClientAsync("lead@example.test", "lead", "support");
        var agent = await desk.AgentClientAsync("agent@example.test", "agent", "support");
        var created = await SendAsync(admin, HttpMethod.Post, "/api/v1/mailboxes", Mailbox("sales"));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = (await created.JsonAsync()).GetProperty("id").GetString();

        foreach (var path in new[] { "/api/v1/mailboxes", $"/api/v1/mailboxes/{id}", "/api/v1/mail/outbox", "/api/v1/mail/counts", "/api/v1/admin/health" })
        {
            (await agent.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.Forbidden, path);
            (await lead.GetAsync(path)).StatusCode.Should().Be(HttpStatusCode.OK, path);
        }
        foreach (var client in new[] { agent, lead })
        {
            (await SendAsync(client, HttpMethod.Post, "/api/v1/mailboxes", Mailbox("other"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await SendAsync(client, HttpMethod.Put, $"/api/v1/mailboxes/{id}", Mailbox("sales"), "\"1\"")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await SendAsync(client, HttpMethod.Delete, $"/api/v1/mailboxes/{id}", ifMatch: "\"1\"")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await SendAsync(client, HttpMethod.Post, $"/api/v1/mailboxes/{id}/test")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await SendAsync(client, HttpMethod.Post, "/api/v1/mailboxes/test", Mailbox("x"))).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await SendAsync(client, HttpMethod.Post, $"/api/v1/mail/outbox/{Guid.NewGuid()}/retry")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
            (await SendAsync(client, HttpMethod.Post, $"/api/v1/mail/outbox/{Guid.NewGuid()}/cancel")).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        }
        (await desk.DbAsync(db => db.Set<StoredMailbox>().Select(m => m.Version).SingleAsync())).Should().Be(1);
    }

    [Fact]
    public async Task Test_connection_names_what_failed_against_Dovecot_and_Postfix()
    {
        using var desk = new MailDeskFactory();
        var admin = await desk.AgentClientAsync("admin@example.test", "admin", "support");
        async Task<(string Imap, string Smtp)> Test(object settings)
        {
            var result = await (await SendAsync(admin, HttpMethod.Post, "/api/v1/mailboxes/test", settings)).JsonAsync();
            return (result.GetProperty("imap").GetProperty("outcome").GetString()!, result.GetProperty("smtp").GetProperty("outcome").GetString()!);
        }
        object With(string host = "127.0.0.1", int? imapPort = null, int? smtpPort = null, string password = MailServers.Password, bool tls = false) => new
        {
            name = "probe",
            imap = new { host, port = imapPort ?? servers.ImapPort, useTls = tls, username = "support", password },
            smtp = new { host, port = smtpPort ?? servers.SmtpPort, useTls = false, username = "support", password },
        };

        (await Test(With())).Should().Be(("ok", "ok"));
        (await Test(With(password: "wrong-password"))).Should().Be(("authentication_failed", "authentication_failed"));
        var closed = MailServers.FreePort();
        (await Test(With(imapPort: closed, smtpPort: closed))).Should().Be(("refused", "refused"));
        (await Test(With(imapPort: servers.SmtpPort, smtpPort: servers.ImapPort))).Should().Be(("protocol_error", "protocol_error"));
        (await Test(With(host: "no-such-host.invalid"))).Should().Be(("unknown_host", "unknown_host"));
        (await Test(With(tls: true))).Imap.Should().Be("tls_failed");

        // A saved mailbox is tested with its stored password; an edit in the body is tested before it is saved.
        var created = await (await SendAsync(admin, HttpMethod.Post, "/api/v1/mailboxes", Mailbox("sales", smtp: true))).JsonAsync();
        var id = created.GetProperty("id").GetString();
        var saved = await (await SendAsync(admin, HttpMethod.Post, $"/api/v1/mailboxes/{id}/test")).JsonAsync();
        saved.GetProperty("imap").GetProperty("outcome").GetString().Should().Be("ok");
        saved.GetProperty("smtp").GetProperty("outcome").GetString().Should().Be("ok");
        var edited = await (await SendAsync(admin, HttpMethod.Post, $"/api/v1/mailboxes/{id}/test",
            new { imap = new { host = "127.0.0.1", port = servers.ImapPort, useTls = false, username = "support", folder = "No-Such-Folder" } })).JsonAsync();
        edited.GetProperty("imap").GetProperty("outcome").GetString().Should().Be("folder_not_found");
        edited.GetProperty("smtp").GetProperty("outcome").GetString().Should().Be("not_configured");
    }

    [Fact]
    public async Task A_mailbox_added_through_the_API_fetches_and_sends_without_a_restart_and_never_logs_its_password()
    {
        var logs = new CapturingLoggerProvider();
        var folder = $"api-{Guid.NewGuid():N}"[..12];
        await new ImapProbe(servers).CreateFolderAsync("support", folder);
        using var desk = new MailDeskFactory(new Dictionary<string, string?> { ["HelpDesk:Mail:ReloadSeconds"] = "1", ["Logging:LogLevel:Default"] = "Trace" },
            s => s.AddSingleton<ILoggerProvider>(logs));
        var admin = await desk.AgentClientAsync("admin@example.test", "admin", "support");
        var created = await (await SendAsync(admin, HttpMethod.Post, "/api/v1/mailboxes", Mailbox("sales", folder, smtp: true))).JsonAsync();
        var id = created.GetProperty("id").GetString();

        var subject = $"Via the API {Guid.NewGuid():N}"[..20];
        await new ImapProbe(servers).AppendAsync("support", folder, Mime.Message(from: "Carla <customer@example.test>", subject: subject));
        var inbound = await Eventually.WaitAsync(() => desk.DbAsync(db => db.Set<InboundMail>().FirstOrDefaultAsync(m => m.Mailbox == "sales" && m.Outcome == MailOutcome.Created)), "the ticket from the stored mailbox");
        // The acknowledgement leaves through the mailbox's SMTP settings (no SMTP server in the configuration).
        await Eventually.UntilAsync(() => desk.DbAsync(db => db.Set<OutboxMail>().AnyAsync(m => m.TicketNumber == inbound.TicketNumber && m.State == OutboxState.Sent)), "the acknowledgement sent");
        await Eventually.UntilAsync(async () => (await (await admin.GetAsync($"/api/v1/mailboxes/{id}")).JsonAsync()).GetProperty("status").GetProperty("state").GetString() == "ok", "status ok");

        // A wrong password, saved: the fetcher restarts with it and the status says what fails.
        var edit = await SendAsync(admin, HttpMethod.Put, $"/api/v1/mailboxes/{id}", Mailbox("sales", folder, imapPassword: ImapSecret, smtp: true, smtpPassword: SmtpSecret), "\"1\"");
        edit.StatusCode.Should().Be(HttpStatusCode.OK);
        JsonElement failing = default;
        await Eventually.UntilAsync(async () =>
        {
            failing = (await (await admin.GetAsync($"/api/v1/mailboxes/{id}")).JsonAsync()).GetProperty("status");
            return failing.GetProperty("state").GetString() == "error";
        }, "status error");
        failing.GetProperty("lastError").GetString().Should().Contain("Authentication failed");
        failing.GetProperty("lastFetchAt").GetString().Should().NotBeNull();
        var health = await (await admin.GetAsync("/api/v1/admin/health")).JsonAsync();
        health.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("code").GetString()).Should().Contain("mail.mailbox_error");
        (await (await admin.PostAsync($"/api/v1/mailboxes/{id}/test", null)).JsonAsync()).GetProperty("imap").GetProperty("outcome").GetString()
            .Should().Be("authentication_failed");

        logs.Lines.Should().Contain(l => l.Contains("Mailbox sales"));
        logs.Lines.Should().NotContain(l => l.Contains(ImapSecret) || l.Contains(SmtpSecret));
    }
}
