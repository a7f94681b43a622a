using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using HelpDesk.Mail.Mailboxes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Mail.Imap;

/// <summary>
/// Runs one <see cref="ImapMailboxFetcher"/> per mailbox (<see cref="MailboxDirectory"/>: the configuration file's and the
/// enabled ones in the database) and keeps that set current without a restart: every <see cref="MailOptions.ReloadSeconds"/>,
/// and at once when an admin changed a mailbox on this node (<see cref="MailboxChanges"/>), it stops the fetchers of
/// mailboxes that went away or changed and starts the new ones. Which node fetches a mailbox is still decided by its
/// lease (<c>mail-imap:{name}</c>): every node runs this, one fetches.
/// </summary>
public sealed class ImapIngestionService(IServiceScopeFactory scopes, IOptions<MailOptions> options, IOptions<LeaseOptions> leases, IClock clock,
    ILoggerFactory loggers, MailboxDirectory directory, MailboxChanges changes) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<ImapIngestionService>();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var running = new Dictionary<string, Running>(StringComparer.Ordinal);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ReconcileAsync(running, await directory.FetchersAsync(stoppingToken), stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    _logger.LogWarning("Reading the mailboxes failed ({Error}); the running fetchers go on", ex.Message);
                }
                await changes.WaitAsync(TimeSpan.FromSeconds(Math.Max(0.1, options.Value.ReloadSeconds)), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var r in running.Values) await r.StopAsync();
        }
    }

    private async Task ReconcileAsync(Dictionary<string, Running> running, IReadOnlyList<ImapMailboxOptions> wanted, CancellationToken ct)
    {
        var byName = wanted.GroupBy(m => m.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        foreach (var (name, r) in running.ToList())
        {
            if (byName.TryGetValue(name, out var m) && Fingerprint(m) == r.Fingerprint) continue;
            _logger.LogInformation("Mailbox {Mailbox}: {Change}; its fetcher stops", name, byName.ContainsKey(name) ? "settings changed" : "removed or disabled");
            await r.StopAsync();
            running.Remove(name);
        }
        foreach (var (name, m) in byName)
        {
            if (running.ContainsKey(name)) continue;
            var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var fetcher = new ImapMailboxFetcher(m, scopes, options, leases.Value.Imap, clock, loggers.CreateLogger<ImapMailboxFetcher>());
            running[name] = new Running(Fingerprint(m), stop, Task.Run(() => fetcher.RunAsync(stop.Token), CancellationToken.None));
        }
    }

    // What a fetcher was started with; the password is part of it (kept in memory only, never logged).
    private static string Fingerprint(ImapMailboxOptions m) => string.Join('\n', m.Host, m.Port, m.UseTls, m.Username, m.Password, m.Folder, m.Team);

    private sealed record Running(string Fingerprint, CancellationTokenSource Stop, Task Task)
    {
        public async Task StopAsync()
        {
            await Stop.CancelAsync();
            try { await Task; } catch (OperationCanceledException) { }
            Stop.Dispose();
        }
    }
}
