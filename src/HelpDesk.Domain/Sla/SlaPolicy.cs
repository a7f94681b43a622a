using HelpDesk.Domain.Tickets;
using NodaTime;

namespace HelpDesk.Domain.Sla;

/// <summary>What a ticket looks like to policy selection.</summary>
public sealed record TicketFacts(Priority Priority, string Team, string Channel, IReadOnlyCollection<string> Tags, string? Organisation);

/// <summary>
/// Which tickets a policy applies to. An empty set means "any"; tags match when the ticket has any of them.
/// </summary>
public sealed record SlaPolicyConditions(
    IReadOnlySet<Priority> Priorities,
    IReadOnlySet<string> Teams,
    IReadOnlySet<string> Channels,
    IReadOnlySet<string> Tags,
    IReadOnlySet<string> Organisations)
{
    public static SlaPolicyConditions Any { get; } = new(
        new HashSet<Priority>(), new HashSet<string>(), new HashSet<string>(), new HashSet<string>(), new HashSet<string>());

    public bool Matches(TicketFacts t) =>
        (Priorities.Count == 0 || Priorities.Contains(t.Priority))
        && (Teams.Count == 0 || Teams.Contains(t.Team, StringComparer.OrdinalIgnoreCase))
        && (Channels.Count == 0 || Channels.Contains(t.Channel, StringComparer.OrdinalIgnoreCase))
        && (Tags.Count == 0 || t.Tags.Any(tag => Tags.Contains(tag, StringComparer.OrdinalIgnoreCase)))
        && (Organisations.Count == 0 || (t.Organisation is not null && Organisations.Contains(t.Organisation, StringComparer.OrdinalIgnoreCase)));
}

/// <summary>
/// One immutable version of a named SLA policy. An edit adds a version with a later <see cref="EffectiveFrom"/>;
/// a ticket's SLA ledger records which version applied when.
/// </summary>
public sealed class SlaPolicyVersion
{
    private SlaPolicyVersion() { Name = ""; CalendarName = ""; Conditions = SlaPolicyConditions.Any; Terms = null!; }

    public SlaPolicyVersion(Guid id, string name, int version, Instant effectiveFrom, int position, string calendarName,
        SlaPolicyConditions conditions, SlaPolicyTerms terms, bool isActive = true)
    {
        Id = id;
        Name = name;
        Version = version;
        EffectiveFrom = effectiveFrom;
        Position = position;
        CalendarName = calendarName;
        Conditions = conditions;
        Terms = terms;
        IsActive = isActive;
    }

    public Guid Id { get; private set; }
    public string Name { get; private set; }
    public int Version { get; private set; }
    public Instant EffectiveFrom { get; private set; }
    /// <summary>Policies are tried in ascending position; the first that matches applies.</summary>
    public int Position { get; private set; }
    public string CalendarName { get; private set; }
    public SlaPolicyConditions Conditions { get; private set; }
    public SlaPolicyTerms Terms { get; private set; }
    /// <summary>False for a version that retires the policy.</summary>
    public bool IsActive { get; private set; }
}

/// <summary>One immutable version of a named business calendar.</summary>
public sealed class BusinessCalendarVersion
{
    private BusinessCalendarVersion() { Name = ""; Calendar = null!; }

    public BusinessCalendarVersion(Guid id, string name, int version, Instant effectiveFrom, BusinessCalendar calendar)
    {
        Id = id;
        Name = name;
        Version = version;
        EffectiveFrom = effectiveFrom;
        Calendar = calendar;
    }

    public Guid Id { get; private set; }
    public string Name { get; private set; }
    public int Version { get; private set; }
    public Instant EffectiveFrom { get; private set; }
    public BusinessCalendar Calendar { get; private set; }
}

/// <summary>
/// Chooses policies and assembles a ticket's SLA timeline from configuration history. Pure: the caller passes
/// the versions it loaded.
/// </summary>
public sealed class SlaConfiguration
{
    private readonly ILookup<string, SlaPolicyVersion> _policies;
    private readonly ILookup<string, BusinessCalendarVersion> _calendars;

    public SlaConfiguration(IEnumerable<SlaPolicyVersion> policyVersions, IEnumerable<BusinessCalendarVersion> calendarVersions)
    {
        _policies = policyVersions.OrderBy(p => p.Version).ToLookup(p => p.Name, StringComparer.OrdinalIgnoreCase);
        _calendars = calendarVersions.OrderBy(c => c.Version).ToLookup(c => c.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The first active policy (by position, then name) whose conditions match at <paramref name="at"/>; null when none does.</summary>
    public SlaPolicyVersion? Select(TicketFacts facts, Instant at) =>
        _policies.Select(g => PolicyAt(g.Key, at))
            .Where(p => p is { IsActive: true } && p.Conditions.Matches(facts))
            .OrderBy(p => p!.Position).ThenBy(p => p!.Name, StringComparer.Ordinal)
            .FirstOrDefault();

    public SlaPolicyVersion? PolicyAt(string name, Instant at) =>
        _policies[name].LastOrDefault(p => p.EffectiveFrom <= at) ?? _policies[name].FirstOrDefault();

    public BusinessCalendarVersion? CalendarAt(string name, Instant at) =>
        _calendars[name].LastOrDefault(c => c.EffectiveFrom <= at) ?? _calendars[name].FirstOrDefault();

    /// <summary>The terms in force at <paramref name="at"/> for a policy name, or null (no such policy, retired, or its calendar is missing).</summary>
    public SlaTerms? TermsAt(string policyName, Instant at)
    {
        var policy = PolicyAt(policyName, at);
        if (policy is not { IsActive: true }) return null;
        var calendar = CalendarAt(policy.CalendarName, at);
        if (calendar is null) return null;
        return new SlaTerms(calendar.Calendar, policy.Terms, policy.Name, policy.Version, calendar.Name, calendar.Version);
    }

    /// <summary>
    /// The instants after <paramref name="from"/> (exclusive) up to <paramref name="to"/> (inclusive) at which a new
    /// version of the policy or of a calendar it used took effect.
    /// </summary>
    public IEnumerable<Instant> ChangesBetween(string policyName, Instant from, Instant to)
    {
        var policyChanges = _policies[policyName].Select(p => p.EffectiveFrom);
        var calendarNames = _policies[policyName].Select(p => p.CalendarName).Distinct(StringComparer.OrdinalIgnoreCase);
        var calendarChanges = calendarNames.SelectMany(n => _calendars[n]).Select(c => c.EffectiveFrom);
        return policyChanges.Concat(calendarChanges).Where(i => i > from && i <= to).Distinct().Order();
    }
}
