using System.Net.Http.Json;
using HelpDesk.Application.Mail;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HelpDesk.Mail.Tests.Api;

/// <summary>Passwords and the signing key never appear in a log line, even when the servers fail.</summary>
public sealed class SecretsTests
{
    [Fact]
    public async Task No_secret_is_logged_while_SMTP_and_IMAP_fail()
    {
        var logs = new CapturingLoggerProvider();
        var closedPort = "9"; // discard: nothing listens there
        using var desk = new MailDeskFactory(new Dictionary<string, string?>
        {
            ["HelpDesk:Mail:SigningKey"] = "S3cret-signing-key",
            ["HelpDesk:Mail:Smtp:Host"] = "127.0.0.1", ["HelpDesk:Mail:Smtp:Port"] = closedPort,
            ["HelpDesk:Mail:Smtp:Username"] = "smtp-user", ["HelpDesk:Mail:Smtp:Password"] = "S3cret-smtp-password",
            ["HelpDesk:Mail:Imap:0:Name"] = "support", ["HelpDesk:Mail:Imap:0:Host"] = "127.0.0.1", ["HelpDesk:Mail:Imap:0:Port"] = closedPort,
            ["HelpDesk:Mail:Imap:0:UseTls"] = "false", ["HelpDesk:Mail:Imap:0:Username"] = "support", ["HelpDesk:Mail:Imap:0:Password"] = "S3cret-imap-password",
            ["Logging:LogLevel:Default"] = "Trace",
        }, s => s.AddSingleton<ILoggerProvider>(logs));
        var agent = await desk.AgentClientAsync("agent@example.test", "agent", "support");
        var created = await agent.PostAsJsonAsync("/api/v1/tickets", new { subject = "Hi", body = "Help", requester = new { email = "c@example.test", name = "C" }, team = "support" });
        var number = (await created.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("number").GetInt32();
        (await agent.PostAsJsonAsync($"/api/v1/tickets/{number}/replies", new { body = "Answer", visibility = "public" })).EnsureSuccessStatusCode();

        await Eventually.UntilAsync(() => desk.DbAsync(db => db.Set<OutboxMail>().AnyAsync(m => m.Attempts >= 1)), "a failed SMTP attempt");
        await Eventually.UntilAsync(() => Task.FromResult(logs.Lines.Any(l => l.Contains("Mailbox support"))), "a logged IMAP failure");

        logs.Lines.Should().NotBeEmpty();
        foreach (var secret in new[] { "S3cret-signing-key", "S3cret-smtp-password", "S3cret-imap-password" })
            logs.Lines.Should().NotContain(l => l.Contains(secret));
    }
}
