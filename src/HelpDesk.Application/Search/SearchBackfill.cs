using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HelpDesk.Application.Search;

/// <summary>Where the backfill stands on this node (for the health check): unknown until its first pass ends.</summary>
public sealed class SearchIndexStatus
{
    private volatile string? _problem = "search index not checked yet";

    /// <summary>Null when this node's last pass left no ticket without a document; otherwise what is missing.</summary>
    public string? Problem => _problem;

    public void Report(string? problem) => _problem = problem;
}

/// <summary>
/// Fills in the search documents of tickets that have none, on start, without anyone running a command: a database that
/// already held tickets when the search migration arrived (ADR 0013), or rows written past EF. On the node that holds
/// the <c>search-backfill</c> lease (renewed during the pass, so two nodes never do it at once); in batches of
/// <see cref="SearchRebuild.BatchSize"/>, one transaction each, only tickets still without a document, so a pass stopped
/// by a restart or a lost lease resumes where it was and a second pass writes nothing. A ticket saved meanwhile gets its
/// document from the unit of work; should both write the same one, the batch fails on the key and the next pass skips it.
/// Ends once a pass finds nothing missing (on any node).
/// </summary>
public sealed class SearchBackfill(IServiceScopeFactory scopes, SearchIndexStatus status, IOptions<LeaseOptions> leases, ILogger<SearchBackfill> logger)
    : BackgroundService
{
    public const string LeaseName = "search-backfill";
    private static readonly TimeSpan AfterError = TimeSpan.FromSeconds(10);
    // The outbox's lease terms (HelpDesk:Leases:OutboxSeconds): a pass is work of the same kind, renewed while it runs.
    private readonly HeldLease _lease = new(scopes, LeaseName, leases.Value.Outbox, logger);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        BackgroundWork.Enter("search-backfill");
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = _lease.Terms.TakeoverCheck;
            try
            {
                if (await _lease.TryHoldAsync(stoppingToken))
                {
                    SearchRebuildResult? result = null;
                    await _lease.HoldDuringAsync(async ct =>
                    {
                        await using var scope = scopes.CreateAsyncScope();
                        result = await scope.ServiceProvider.GetRequiredService<SearchRebuild>().RunAsync(SearchRebuildMode.Missing,
                            (done, total) =>
                            {
                                status.Report($"search backfill running: {total - done} of {total} tickets without a search document");
                                if (done % (SearchRebuild.BatchSize * 50) == 0) logger.LogInformation("Search backfill: {Done} of {Total} tickets", done, total);
                            }, ct);
                    }, stoppingToken);
                    if (result is not null)
                    {
                        if (result.Missing > 0) logger.LogInformation("Search backfill wrote the documents of {Count} tickets", result.Missing);
                        status.Report(null);
                        await _lease.ReleaseAsync();
                        return;
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Search backfill pass failed; trying again in {Delay}", AfterError);
                wait = AfterError;
            }
            try { await Task.Delay(wait, stoppingToken); } catch (OperationCanceledException) { break; }
        }
    }
}
