using HelpDesk.Application.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using System.Data.Common;

namespace HelpDesk.Mail.Tests.Infrastructure;

/// <summary>
/// Kills ingestion once, as a crash would: right after the raw bytes of newly arrived mail are committed, before
/// anything processes them. An EF interceptor on the test host's contexts, so the product has no hook for it.
/// </summary>
public sealed class CrashAfterRawStore(Func<Exception> crash) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private int _crashed;
    // Contexts whose current save stores newly arrived mail (the host's background services save on other contexts meanwhile).
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, object> _storing = [];

    /// <summary>Adds this interceptor to the host's <see cref="Application.Persistence.HelpDeskDbContext"/>.</summary>
    public void AddTo(IServiceCollection services) =>
        services.ConfigureDbContext<Application.Persistence.HelpDeskDbContext>(o => o.AddInterceptors(this));

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        var context = eventData.Context!;
        if (context.ChangeTracker.Entries<InboundMail>().Any(e => e.State == EntityState.Added && e.Entity.State == InboundState.Stored))
            _storing.AddOrUpdate(context, this);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default) =>
        ValueTask.FromResult(SavingChanges(eventData, result));

    // Committed by SaveChanges itself (no transaction around it).
    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context!.Database.CurrentTransaction is null) CrashIfStored(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default) =>
        ValueTask.FromResult(SavedChanges(eventData, result));

    // Committed by the transaction the store ran in.
    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => CrashIfStored(eventData.Context);

    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        CrashIfStored(eventData.Context);
        return Task.CompletedTask;
    }

    private void CrashIfStored(DbContext? context)
    {
        if (context is null || !_storing.Remove(context)) return;
        if (Interlocked.Exchange(ref _crashed, 1) == 0) throw crash();
    }
}
