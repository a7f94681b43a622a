using HelpDesk.Domain.Tickets;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Domain.Sla;

/// <summary>
/// The pure SLA engine: replays a ticket's SLA events under the terms in force and reports every cycle at <c>now</c>.
/// Never reads a clock.
/// </summary>
/// <remarks>
/// <para>
/// The replay walks the events once. Between two consecutive events nothing changes (status, priority, terms, which
/// cycles run), so each span is cut once into working and non-working intervals of the calendar in force and appended
/// to every live cycle as <see cref="SegmentKind.Counting"/>/<see cref="SegmentKind.OutsideHours"/>,
/// <see cref="SegmentKind.Paused"/> or (for a resolution cycle between solve and reopen) <see cref="SegmentKind.Stopped"/>.
/// Counting segments are working time by construction, so the instant <c>counted</c> reached any amount is read off
/// them afterwards; this is what lets a priority change re-target a running cycle (even un-breach it) at the end.
/// </para>
/// <para>Choices where sla.md is silent (see docs/sla-engine.md):</para>
/// <list type="bullet">
/// <item>Events after <c>now</c> are validated but not applied: the report is the ticket as it stood at <c>now</c>.
/// A <c>now</c> before the creation yields <see cref="SlaReport.Empty"/>.</item>
/// <item>An auto-reply changes nothing, not even a pending status.</item>
/// <item>A running cycle already past its target has <c>dueAt</c> = the instant it reached the target (= <c>breachedAt</c>).</item>
/// <item>A running cycle whose calendar has no working time at all has <c>dueAt</c> <c>null</c> and no projected warnings.</item>
/// <item>Cycle numbers count every cycle, also those left out for lack of a target, so a number never changes meaning.</item>
/// <item>Warning amounts are <c>target × percent / 100</c> rounded down to the nanosecond.</item>
/// </list>
/// </remarks>
public static class SlaEngine
{
    /// <summary>Replays <paramref name="events"/> under <paramref name="terms"/> and reports every cycle at <paramref name="now"/>.</summary>
    /// <exception cref="ArgumentException">events out of order, an event after closed, no Created first
    /// (the message names the event, e.g. <c>events[3]: ...</c>).</exception>
    public static SlaReport Evaluate(SlaTerms terms, IReadOnlyList<SlaEvent> events, Instant now)
    {
        ArgumentNullException.ThrowIfNull(terms);
        Validate(events);
        var created = (SlaEvent.Created)events[0];
        if (now < created.At)
        {
            return SlaReport.Empty;
        }

        var replay = new Replay(terms, created);
        for (var i = 1; i < events.Count && events[i].At <= now; i++)
        {
            replay.AdvanceTo(events[i].At);
            replay.Apply(events[i]);
        }

        replay.AdvanceTo(now);
        return replay.Report(now);
    }

    /// <summary>
    /// Checks what <see cref="Evaluate"/> relies on: a <see cref="SlaEvent.Created"/> first and only first, instants in
    /// non-decreasing order, nothing after the ticket is closed, terms present.
    /// </summary>
    /// <exception cref="ArgumentException">naming the first offending event, e.g. <c>events[3]: ...</c>.</exception>
    public static void Validate(IReadOnlyList<SlaEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("events: a ticket's history must start with a created event");
        }

        int? closedAt = null;
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i] ?? throw new ArgumentException($"events[{i}]: missing event");
            if (i == 0 && e is not SlaEvent.Created)
            {
                throw new ArgumentException($"events[0]: the first event must be created, not {Describe(e)}");
            }

            if (i > 0 && e is SlaEvent.Created)
            {
                throw new ArgumentException($"events[{i}]: created may only be the first event");
            }

            if (i > 0 && e.At < events[i - 1].At)
            {
                throw new ArgumentException(
                    $"events[{i}]: at {InstantPattern.ExtendedIso.Format(e.At)} is before the previous event at {InstantPattern.ExtendedIso.Format(events[i - 1].At)}");
            }

            if (closedAt is { } c)
            {
                throw new ArgumentException($"events[{i}]: the ticket was closed by events[{c}]; closed is final");
            }

            if (e is SlaEvent.TermsChanged { Terms: null })
            {
                throw new ArgumentException($"events[{i}]: terms changed without terms");
            }

            if (e is SlaEvent.StatusChanged { Status: TicketStatus.Closed })
            {
                closedAt = i;
            }
        }
    }

    private static string Describe(SlaEvent e) => e switch
    {
        SlaEvent.AgentReply => "agent_reply",
        SlaEvent.InternalNote => "internal_note",
        SlaEvent.CustomerReply => "customer_reply",
        SlaEvent.AutoReply => "auto_reply",
        SlaEvent.StatusChanged => "status",
        SlaEvent.PriorityChanged => "priority",
        SlaEvent.TermsChanged => "terms_changed",
        _ => e.GetType().Name,
    };

    private static bool IsSolvedOrClosed(TicketStatus s) => !s.IsOpen();

    /// <summary><c>target × percent / 100</c>, rounded down to the nanosecond, without overflowing for long targets.</summary>
    internal static Duration Share(Duration target, int percent)
    {
        var ns = target.ToInt64Nanoseconds();
        return Duration.FromNanoseconds(ns / 100 * percent + ns % 100 * percent / 100);
    }

    /// <summary>The mutable state of one ticket's replay.</summary>
    private sealed class Replay
    {
        private readonly List<Interval> _working = new(8);
        private readonly Track _firstResponse;
        private readonly Track _resolution;
        private readonly List<Track> _nextReplies = new(2);
        private SlaTerms _terms;
        private TicketStatus _status = TicketStatus.New;
        private Priority _priority;
        private Track? _nextReply; // the running nextReply cycle, if any
        private Instant _cursor;

        public Replay(SlaTerms terms, SlaEvent.Created created)
        {
            _terms = terms;
            _priority = created.Priority;
            _cursor = created.At;
            _firstResponse = new Track(SlaMetric.FirstResponse, 1, created.At);
            _resolution = new Track(SlaMetric.Resolution, 1, created.At);
        }

        public void AdvanceTo(Instant to)
        {
            var from = _cursor;
            if (to <= from)
            {
                return;
            }

            _cursor = to;
            var workingKnown = false;
            Count(_firstResponse, from, to, ref workingKnown);
            if (_nextReply is not null)
            {
                Count(_nextReply, from, to, ref workingKnown);
            }

            if (_resolution.Stopped)
            {
                return; // the stopped span is added on reopen, and only then (it ends the segments otherwise)
            }

            if (_terms.Policy.PauseOn.Contains(_status))
            {
                _resolution.Append(from, to, SegmentKind.Paused);
            }
            else
            {
                Count(_resolution, from, to, ref workingKnown);
            }
        }

        private void Count(Track track, Instant from, Instant to, ref bool workingKnown)
        {
            if (track.Stopped)
            {
                return;
            }

            if (!workingKnown)
            {
                _terms.Calendar.CopyWorkingIntervals(from, to, _working);
                workingKnown = true;
            }

            var at = from;
            foreach (var w in _working)
            {
                track.Append(at, w.Start, SegmentKind.OutsideHours);
                track.Append(w.Start, w.End, SegmentKind.Counting);
                track.Counted += w.End - w.Start;
                at = w.End;
            }

            track.Append(at, to, SegmentKind.OutsideHours);
        }

        public void Apply(SlaEvent e)
        {
            switch (e)
            {
                case SlaEvent.AgentReply:
                    Stop(_firstResponse, e.At);
                    if (_nextReply is not null)
                    {
                        Stop(_nextReply, e.At);
                        _nextReply = null;
                    }

                    break;
                case SlaEvent.CustomerReply:
                    if (_status == TicketStatus.Pending)
                    {
                        _status = TicketStatus.Open;
                    }
                    else if (_status == TicketStatus.Solved)
                    {
                        _status = TicketStatus.Open;
                        Resume(_resolution, e.At);
                    }

                    // The running cycle already measures from the oldest unanswered message: later ones don't restart it.
                    if (_firstResponse.Stopped && _nextReply is null)
                    {
                        _nextReply = new Track(SlaMetric.NextReply, _nextReplies.Count + 1, e.At);
                        _nextReplies.Add(_nextReply);
                    }

                    break;
                case SlaEvent.StatusChanged s:
                    var old = _status;
                    _status = s.Status;
                    if (IsSolvedOrClosed(s.Status) && !IsSolvedOrClosed(old))
                    {
                        Stop(_firstResponse, e.At);
                        if (_nextReply is not null)
                        {
                            Stop(_nextReply, e.At);
                            _nextReply = null;
                        }

                        Stop(_resolution, e.At);
                    }
                    else if (old == TicketStatus.Solved && !IsSolvedOrClosed(s.Status))
                    {
                        Resume(_resolution, e.At);
                    }

                    break;
                case SlaEvent.PriorityChanged p:
                    _priority = p.Priority;
                    break;
                case SlaEvent.TermsChanged t:
                    _terms = t.Terms;
                    break;
                // InternalNote and AutoReply never start, stop or change anything.
            }
        }

        private void Stop(Track track, Instant at)
        {
            if (track.Stopped)
            {
                return;
            }

            track.Stopped = true;
            track.StoppedAt = at;
            track.PolicyAtStop = _terms.Policy;
            track.TargetAtStop = _terms.Policy.TargetFor(_priority, track.Metric);
        }

        private static void Resume(Track track, Instant at)
        {
            track.Append(track.StoppedAt!.Value, at, SegmentKind.Stopped);
            track.Stopped = false;
            track.StoppedAt = null;
            track.PolicyAtStop = null;
            track.TargetAtStop = null;
        }

        public SlaReport Report(Instant now)
        {
            var clocks = new List<SlaCycle>(2 + _nextReplies.Count);
            AddCycle(clocks, _firstResponse, now);
            foreach (var nr in _nextReplies)
            {
                AddCycle(clocks, nr, now);
            }

            AddCycle(clocks, _resolution, now);
            return new SlaReport(clocks);
        }

        private void AddCycle(List<SlaCycle> clocks, Track track, Instant now)
        {
            var policy = track.Stopped ? track.PolicyAtStop! : _terms.Policy;
            var target = track.Stopped ? track.TargetAtStop : policy.TargetFor(_priority, track.Metric);
            if (target is not { } t)
            {
                return;
            }

            var paused = !track.Stopped && track.Metric == SlaMetric.Resolution && policy.PauseOn.Contains(_status);
            var running = !track.Stopped && !paused;
            var counted = track.Counted;
            var breached = counted > t;
            var state = track.Stopped
                ? (breached ? CycleState.Breached : CycleState.Met)
                : breached ? CycleState.Breached : paused ? CycleState.Paused : CycleState.Running;
            var calendar = _terms.Calendar;

            Instant? dueAt = null;
            Instant? breachesAt = null;
            if (running)
            {
                if (counted >= t)
                {
                    dueAt = track.ReachedAt(t);
                }
                else if (calendar.TryAddBusinessTime(now, t - counted, out var due))
                {
                    dueAt = due;
                }

                if (!breached && calendar.TryAddBusinessTime(now, t - counted + Duration.Epsilon, out var breachAt))
                {
                    breachesAt = breachAt;
                }
            }

            var warnings = new List<SlaWarning>(policy.WarnAtPercent.Count);
            var lastPercent = int.MinValue;
            foreach (var percent in Ascending(policy.WarnAtPercent))
            {
                if (percent == lastPercent)
                {
                    continue;
                }

                lastPercent = percent;
                var share = Share(t, percent);
                if (counted >= share)
                {
                    warnings.Add(new SlaWarning(percent, track.ReachedAt(share)));
                }
                else if (running && calendar.TryAddBusinessTime(now, share - counted, out var projected))
                {
                    warnings.Add(new SlaWarning(percent, projected));
                }
            }

            clocks.Add(new SlaCycle(
                track.Metric,
                track.Number,
                state,
                t,
                track.StartedAt,
                track.Stopped ? track.StoppedAt : null,
                dueAt,
                breached ? track.ReachedAt(t) : null,
                counted,
                warnings,
                track.Segments)
            {
                BreachesAt = breachesAt,
            });
        }

        private static IEnumerable<int> Ascending(IReadOnlyList<int> percents)
        {
            for (var i = 1; i < percents.Count; i++)
            {
                if (percents[i] < percents[i - 1])
                {
                    return percents.Order();
                }
            }

            return percents;
        }
    }

    /// <summary>One cycle while replaying.</summary>
    private sealed class Track(SlaMetric metric, int number, Instant startedAt)
    {
        private readonly List<SlaSegment> _segments = [];

        public SlaMetric Metric { get; } = metric;
        public int Number { get; } = number;
        public Instant StartedAt { get; } = startedAt;
        public bool Stopped { get; set; }
        public Instant? StoppedAt { get; set; }
        public SlaPolicyTerms? PolicyAtStop { get; set; }
        public Duration? TargetAtStop { get; set; }
        public Duration Counted { get; set; }
        public IReadOnlyList<SlaSegment> Segments => _segments;

        /// <summary>Appends <c>[from, to)</c>, merging with the previous span of the same kind and dropping empty spans.</summary>
        public void Append(Instant from, Instant to, SegmentKind kind)
        {
            if (to <= from)
            {
                return;
            }

            if (_segments.Count > 0 && _segments[^1] is var last && last.Kind == kind && last.To == from)
            {
                _segments[^1] = last with { To = to };
                return;
            }

            _segments.Add(new SlaSegment(from, to, kind));
        }

        /// <summary>
        /// The earliest instant at which <see cref="Counted"/> was <paramref name="amount"/> (at most the current value):
        /// counting segments are all working time, so counted grows one-for-one inside them.
        /// </summary>
        public Instant ReachedAt(Duration amount)
        {
            if (amount <= Duration.Zero)
            {
                return StartedAt;
            }

            var cumulative = Duration.Zero;
            foreach (var s in _segments)
            {
                if (s.Kind != SegmentKind.Counting)
                {
                    continue;
                }

                var length = s.To - s.From;
                if (cumulative + length >= amount)
                {
                    return s.From + (amount - cumulative);
                }

                cumulative += length;
            }

            throw new InvalidOperationException("Amount beyond the counted time.");
        }
    }
}
