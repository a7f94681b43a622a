using NodaTime;

namespace HelpDesk.Application.Common;

/// <summary>
/// <c>HelpDesk:Leases</c> (see appsettings.example.json): how long each background-work lease lasts without renewal and
/// how often a node without it tries to take it. A node that dies is replaced after at most its lease's lifetime plus
/// one takeover check; a holder renews at least every third of the lifetime, so a slow pass never lets it lapse.
/// </summary>
public sealed class LeaseOptions
{
    public const string Section = "HelpDesk:Leases";

    /// <summary>Lifetime of the <c>sla-due-queue</c> lease.</summary>
    public double DueQueueSeconds { get; set; } = 30;
    /// <summary>Lifetime of the <c>mail-outbox</c> lease.</summary>
    public double OutboxSeconds { get; set; } = 30;
    /// <summary>Lifetime of each <c>mail-imap:NAME</c> lease.</summary>
    public double ImapSeconds { get; set; } = 60;
    /// <summary>How often a node without a lease tries to take it.</summary>
    public double TakeoverCheckSeconds { get; set; } = 5;

    public LeaseTerms DueQueue => Terms(DueQueueSeconds);
    public LeaseTerms Outbox => Terms(OutboxSeconds);
    public LeaseTerms Imap => Terms(ImapSeconds);

    /// <summary>Null when every value is usable; otherwise what is wrong, naming the key.</summary>
    public string? Problem() =>
        new[] { (nameof(DueQueueSeconds), DueQueueSeconds), (nameof(OutboxSeconds), OutboxSeconds), (nameof(ImapSeconds), ImapSeconds),
                (nameof(TakeoverCheckSeconds), TakeoverCheckSeconds) }
            .Where(v => !(v.Item2 is >= 0.1 and <= 3600)).Select(v => $"{Section}:{v.Item1} must be between 0.1 and 3600 seconds.").FirstOrDefault();

    private LeaseTerms Terms(double seconds) => new(Duration.FromSeconds(seconds), TimeSpan.FromSeconds(TakeoverCheckSeconds));
}

/// <summary>One lease's timing: its lifetime, how often its holder renews it and how often a standby node tries to take it.</summary>
public sealed record LeaseTerms(Duration Ttl, TimeSpan TakeoverCheck)
{
    /// <summary>A third of the lifetime: two renewals may fail or run late before the lease lapses.</summary>
    public TimeSpan RenewEvery => (Ttl / 3).ToTimeSpan();

    /// <summary>The shorter of <paramref name="wait"/> and <see cref="RenewEvery"/>: a holder never sleeps through its renewal.</summary>
    public TimeSpan HolderWait(TimeSpan wait) => wait < RenewEvery ? wait : RenewEvery;
}
