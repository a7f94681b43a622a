using System.Data.Common;
using System.Text.Json;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Mail;
using HelpDesk.Mail.Inbound;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Web.Cli;

/// <summary>
/// <c>helpdesk mailgate</c> (one message on stdin, as an MTA pipes it) and <c>helpdesk mail reprocess</c>. The mailgate
/// builds only what the inbound pipeline needs (no web host, no migrations, no background services): an MTA starts it
/// once per message.
/// </summary>
public static class MailCli
{
    public const int ExOk = 0, ExDataErr = 65, ExTempFail = 75;

    public static async Task<int> MailgateAsync(string[] args, Stream stdin, TextWriter stdout, TextWriter stderr)
    {
        var a = CliArgs.Parse(args, new HashSet<string> { "mailbox" });
        var mailbox = a.Option("mailbox") ?? MailIngestor.MailgateMailbox;
        byte[] raw;
        using (var buffer = new MemoryStream())
        {
            await stdin.CopyToAsync(buffer);
            raw = buffer.ToArray();
        }
        if (!MailParsing.LooksLikeMail(raw))
        {
            await stderr.WriteLineAsync("helpdesk mailgate: the input is not an e-mail message");
            return ExDataErr;
        }
        if (await HandOffAsync(mailbox, raw, stdout) is { } handedOff) return handedOff;
        try
        {
            await using var services = CliServices.Build((s, c) => s.AddHelpDeskMailIngestion(c));
            await using var scope = services.CreateAsyncScope();
            var outcome = await scope.ServiceProvider.GetRequiredService<MailIngestor>().IngestAsync(mailbox, raw, "mailgate", CancellationToken.None);
            await stdout.WriteLineAsync(Json(outcome));
            return ExOk;
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException or InvalidOperationException or IOException or TimeoutException)
        {
            // The store is unavailable: the MTA keeps the message and retries (a retry of stored bytes resumes, never duplicates).
            await stderr.WriteLineAsync($"helpdesk mailgate: store unavailable: {ex.Message}");
            return ExTempFail;
        }
    }

    /// <summary>
    /// With HelpDesk:Mail:MailgateUrl set, gives the bytes to the running server over loopback (no database start-up
    /// in this process). Null when no server answered properly: the caller stores the message itself.
    /// </summary>
    private static async Task<int?> HandOffAsync(string mailbox, byte[] raw, TextWriter stdout)
    {
        var configuration = new ConfigurationBuilder().SetBasePath(AppContext.BaseDirectory).AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables().Build();
        var url = configuration["HelpDesk:Mail:MailgateUrl"];
        if (string.IsNullOrWhiteSpace(url)) return null;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
            if (configuration["HelpDesk:Mail:MailgateSecret"] is { Length: > 0 } secret) http.DefaultRequestHeaders.Add(Hosting.ReverseProxy.MailgateSecretHeader, secret);
            using var response = await http.PostAsync($"{url.TrimEnd('/')}/mailgate?mailbox={Uri.EscapeDataString(mailbox)}", new ByteArrayContent(raw));
            if (!response.IsSuccessStatusCode) return null;
            await stdout.WriteLineAsync((await response.Content.ReadAsStringAsync()).Trim());
            return ExOk;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public static async Task<int> MailAsync(string[] args, TextWriter stdout)
    {
        if (args.Length == 0 || args[0] != "reprocess") throw new CliUsageException("expected 'mail reprocess ID|--all'");
        var a = CliArgs.Parse(args[1..], new HashSet<string> { "all" }, flags: new HashSet<string> { "all" });
        await using var services = CliServices.Build((s, c) => s.AddHelpDeskMailIngestion(c));
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
        List<Guid> ids;
        if (a.Option("all") is not null)
            ids = await db.Set<InboundMail>().Where(m => m.State != InboundState.Processed).OrderBy(m => m.ReceivedAt).Select(m => m.Id).ToListAsync();
        else if (a.Words.Count == 1 && Guid.TryParse(a.Words[0], out var id)) ids = [id];
        else throw new CliUsageException("mail reprocess takes one inbound mail id or --all");
        var ingestor = scope.ServiceProvider.GetRequiredService<MailIngestor>();
        foreach (var inbound in ids)
        {
            var outcome = await ingestor.ReprocessAsync(inbound, CancellationToken.None);
            await stdout.WriteLineAsync(Json(outcome, inbound));
        }
        return 0;
    }

    private static string Json(MailOutcome o, Guid? inbound = null) => JsonSerializer.Serialize(inbound is null
        ? new Dictionary<string, object?> { ["outcome"] = o.Outcome, ["ticket"] = o.Ticket, ["article"] = o.Article, ["reason"] = o.Reason }
        : new Dictionary<string, object?> { ["inbound"] = inbound, ["outcome"] = o.Outcome, ["ticket"] = o.Ticket, ["article"] = o.Article, ["reason"] = o.Reason });
}
