using HelpDesk.Application.Tickets;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Domain.Escalation;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Application.Telemetry;

/// <summary>
/// The OpenTelemetry-friendly instruments of the meter <c>HelpDesk</c> (docs/reporting.md "Meters"): business time of
/// every first-response, next-reply and resolution cycle that stops (seconds; tags team, priority, channel), cycles
/// stopped by clock and outcome, and the open backlog by team and priority (observed when a reader collects).
/// </summary>
public sealed class HelpDeskTelemetry
{
    public const string MeterName = "HelpDesk";

    /// <summary>How long a backlog reading is reused: a collector that polls often does not query the database each time.</summary>
    private static readonly Duration BacklogCacheFor = Duration.FromSeconds(15);

    private readonly Histogram<double> _firstResponse;
    private readonly Histogram<double> _nextReply;
    private readonly Histogram<double> _resolution;
    private readonly Counter<long> _cycles;
    private readonly IServiceScopeFactory _scopes;
    private readonly IClock _clock;
    private readonly Lock _backlogLock = new();
    private (Instant At, IReadOnlyList<Measurement<int>> Values)? _backlog;

    public HelpDeskTelemetry(IMeterFactory meters, IServiceScopeFactory scopes, IClock clock)
    {
        _scopes = scopes;
        _clock = clock;
        Meter = meters.Create(MeterName);
        _firstResponse = Meter.CreateHistogram<double>("helpdesk.first_response.business_time", "s", "Business time from creation to the first public agent reply");
        _nextReply = Meter.CreateHistogram<double>("helpdesk.next_reply.business_time", "s", "Business time from the oldest unanswered customer message to the next public agent reply");
        _resolution = Meter.CreateHistogram<double>("helpdesk.resolution.business_time", "s", "Business time of the resolution clock at the solve");
        _cycles = Meter.CreateCounter<long>("helpdesk.sla.cycles", "{cycle}", "SLA cycles stopped, by clock and outcome (met or breached)");
        Meter.CreateObservableGauge("helpdesk.backlog", ObserveBacklog, "{ticket}", "Open tickets (not solved or closed) by team and priority");
    }

    public Meter Meter { get; }

    /// <summary>Records cycles that stopped in a committed change.</summary>
    public void Record(IEnumerable<StoppedCycle> stops)
    {
        foreach (var s in stops)
        {
            var tags = new TagList { { "team", s.Team }, { "priority", Vocabulary.Name(s.Priority) }, { "channel", s.Channel } };
            var histogram = s.Metric switch
            {
                SlaMetric.FirstResponse => _firstResponse,
                SlaMetric.NextReply => _nextReply,
                _ => _resolution,
            };
            histogram.Record(s.BusinessMs / 1000.0, tags);
            _cycles.Add(1, new TagList { { "metric", EscalationClock.Of(s.Metric) }, { "outcome", s.Met ? "met" : "breached" } });
        }
    }

    private IEnumerable<Measurement<int>> ObserveBacklog()
    {
        var now = _clock.GetCurrentInstant();
        lock (_backlogLock)
        {
            if (_backlog is { } cached && now - cached.At < BacklogCacheFor) return cached.Values;
            using var scope = _scopes.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
            // Observable callbacks are synchronous; this runs on the collector's thread, once per collection at most.
            var rows = db.Tickets.AsNoTracking().Open()
                .GroupBy(t => new { t.TeamId, t.Priority })
                .Select(g => new { g.Key.TeamId, g.Key.Priority, Count = g.Count() })
                .ToList();
            var names = db.Teams.AsNoTracking().ToDictionary(t => t.Id, t => t.Name);
            var values = rows.Select(r => new Measurement<int>(r.Count,
                new KeyValuePair<string, object?>("team", names.GetValueOrDefault(r.TeamId, "")),
                new KeyValuePair<string, object?>("priority", Vocabulary.Name(r.Priority)))).ToList();
            _backlog = (now, values);
            return values;
        }
    }
}

/// <summary>A cycle that stopped in this unit of work: what the instruments record once it is committed.</summary>
public sealed record StoppedCycle(Guid TicketId, SlaMetric Metric, int Cycle, string Team, Priority Priority, string Channel, long BusinessMs, bool Met);

/// <summary>
/// Cycles stopped in the current scope's unit of work, waiting for the commit: <see cref="Reporting.ReportProjector"/>
/// notes them, <see cref="TicketEventPublisher"/> (called only after SaveChanges succeeded) records them. Keyed by
/// cycle, so projecting the same ticket twice before the commit records a stop once; a rolled-back change is never
/// published and its notes die with the scope.
/// </summary>
public sealed class PendingCycleStops(HelpDeskTelemetry instruments)
{
    private readonly Dictionary<(Guid, SlaMetric, int), StoppedCycle> _pending = [];

    public void Note(StoppedCycle stop) => _pending[(stop.TicketId, stop.Metric, stop.Cycle)] = stop;

    public void Forget(Guid ticketId, SlaMetric metric, int cycle) => _pending.Remove((ticketId, metric, cycle));

    /// <summary>What is noted now, to go back to when the work noted after it is rolled back (a savepoint).</summary>
    public IReadOnlyDictionary<(Guid, SlaMetric, int), StoppedCycle> Mark() => new Dictionary<(Guid, SlaMetric, int), StoppedCycle>(_pending);

    /// <summary>Back to <paramref name="mark"/>: stops noted since then belong to rolled-back work.</summary>
    public void RollBackTo(IReadOnlyDictionary<(Guid, SlaMetric, int), StoppedCycle> mark)
    {
        _pending.Clear();
        foreach (var (key, stop) in mark) _pending[key] = stop;
    }

    /// <summary>Records the stops of <paramref name="ticketId"/> (its change is committed).</summary>
    public void Committed(Guid ticketId)
    {
        var stops = _pending.Values.Where(s => s.TicketId == ticketId).ToList();
        foreach (var s in stops) _pending.Remove((s.TicketId, s.Metric, s.Cycle));
        instruments.Record(stops);
    }
}
