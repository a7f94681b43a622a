using HelpDesk.Application.Common;
using HelpDesk.Application.Mail;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NodaTime;

namespace HelpDesk.Mail.Imap;

/// <summary>Runs one <see cref="ImapMailboxFetcher"/> per configured mailbox (HelpDesk:Mail:Imap).</summary>
public sealed class ImapIngestionService(IServiceScopeFactory scopes, IOptions<MailOptions> options, IOptions<LeaseOptions> leases, IClock clock, ILoggerFactory loggers) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(options.Value.Imap.Where(m => m.Host.Length > 0).Select(m =>
            new ImapMailboxFetcher(m, scopes, options, leases.Value.Imap, clock, loggers.CreateLogger<ImapMailboxFetcher>()).RunAsync(stoppingToken)));
}
