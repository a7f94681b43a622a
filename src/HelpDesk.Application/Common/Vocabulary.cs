using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;

namespace HelpDesk.Application.Common;

/// <summary>
/// The words the API and CLI use for enums (<c>on_hold</c>, <c>urgent</c>), parsed and printed in one place.
/// </summary>
public static class Vocabulary
{
    private static readonly Dictionary<string, TicketStatus> Statuses = new(StringComparer.OrdinalIgnoreCase)
    {
        ["new"] = TicketStatus.New, ["open"] = TicketStatus.Open, ["pending"] = TicketStatus.Pending,
        ["on_hold"] = TicketStatus.OnHold, ["solved"] = TicketStatus.Solved, ["closed"] = TicketStatus.Closed,
    };

    private static readonly Dictionary<string, Priority> Priorities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["urgent"] = Priority.Urgent, ["high"] = Priority.High, ["normal"] = Priority.Normal, ["low"] = Priority.Low,
    };

    private static readonly Dictionary<string, AgentRole> Roles = new(StringComparer.OrdinalIgnoreCase)
    {
        ["agent"] = AgentRole.Agent, ["lead"] = AgentRole.Lead, ["admin"] = AgentRole.Admin,
    };

    /// <summary>
    /// Where a ticket came from: <c>email</c> (mail, or an agent recording one), <c>phone</c> and <c>web</c> (opened in the
    /// console for a caller, a walk-in or a form), <c>api</c> (an integration that names none). Reports filter by it.
    /// </summary>
    public static IReadOnlyList<string> ChannelNames { get; } = ["email", "phone", "web", "api"];

    public static bool TryChannel(string? s, out string channel)
    {
        channel = ChannelNames.FirstOrDefault(c => string.Equals(c, s?.Trim(), StringComparison.OrdinalIgnoreCase)) ?? "";
        return channel.Length > 0;
    }

    public static string ParseChannel(string s) => TryChannel(s, out var v) ? v : throw new ArgumentException($"unknown channel '{s}'");

    public static IEnumerable<string> StatusNames => Statuses.Keys;
    public static IEnumerable<string> PriorityNames => Priorities.Keys;
    public static IEnumerable<string> RoleNames => Roles.Keys;

    public static bool TryStatus(string? s, out TicketStatus status) => Statuses.TryGetValue(s?.Trim() ?? "", out status);
    public static bool TryPriority(string? s, out Priority priority) => Priorities.TryGetValue(s?.Trim() ?? "", out priority);
    public static bool TryRole(string? s, out AgentRole role) => Roles.TryGetValue(s?.Trim() ?? "", out role);

    public static TicketStatus ParseStatus(string s) => TryStatus(s, out var v) ? v : throw new ArgumentException($"unknown status '{s}'");
    public static Priority ParsePriority(string s) => TryPriority(s, out var v) ? v : throw new ArgumentException($"unknown priority '{s}'");
    public static AgentRole ParseRole(string s) => TryRole(s, out var v) ? v : throw new ArgumentException($"unknown role '{s}'");

    public static string Name(TicketStatus s) => s == TicketStatus.OnHold ? "on_hold" : s.ToString().ToLowerInvariant();
    public static string Name(Priority p) => p.ToString().ToLowerInvariant();
    public static string Name(AgentRole r) => r.ToString().ToLowerInvariant();
    public static string Name(ArticleKind k) => k == ArticleKind.AutoReply ? "auto_reply" : k.ToString().ToLowerInvariant();
    public static string Name(Visibility v) => v.ToString().ToLowerInvariant();
    public static string Name(AuthorType a) => a.ToString().ToLowerInvariant();

    /// <summary>SLA clocks as the API names them: firstResponse, nextReply, resolution.</summary>
    public static IEnumerable<string> MetricNames => Enum.GetValues<SlaMetric>().Select(Name);

    public static bool TryMetric(string? s, out SlaMetric metric)
    {
        foreach (var m in Enum.GetValues<SlaMetric>())
            if (string.Equals(Name(m), s?.Trim(), StringComparison.OrdinalIgnoreCase)) { metric = m; return true; }
        metric = default;
        return false;
    }

    public static string Name(SlaMetric m) => Sla.Simulation.SlaReportJson.Name(m);

    public static string ListOf(IEnumerable<string> names) => string.Join(", ", names);

    /// <summary>A status as people read it: <c>on hold</c>.</summary>
    public static string Label(TicketStatus s) => Name(s).Replace('_', ' ');

    /// <summary>An SLA clock as people read it: <c>First response</c>.</summary>
    public static string Label(SlaMetric m) => m switch
    {
        SlaMetric.FirstResponse => "First response",
        SlaMetric.NextReply => "Next reply",
        SlaMetric.Resolution => "Resolution",
        _ => throw new ArgumentOutOfRangeException(nameof(m)),
    };

    /// <summary>The words of the API with their labels, in display order, for a client to render (the console).</summary>
    public static VocabularyDto Describe() => new(
        Enum.GetValues<TicketStatus>().Select(s => new StatusWordDto(Name(s), Label(s), s.IsOpen())).ToList(),
        Enum.GetValues<Priority>().Select(Name).ToList(),
        Enum.GetValues<SlaMetric>().Select(m => new WordDto(Name(m), Label(m))).ToList(),
        Mail.QuarantineReason.All.Select(r => new WordDto(r, Mail.QuarantineReason.Label(r))).ToList(),
        ChannelNames);
}

public sealed record WordDto(string Name, string Label);
public sealed record StatusWordDto(string Name, string Label, bool Open);
/// <param name="QuarantineReasons">Why inbound mail is quarantined, the classes the admins' triage filters by.</param>
public sealed record VocabularyDto(IReadOnlyList<StatusWordDto> Statuses, IReadOnlyList<string> Priorities, IReadOnlyList<WordDto> Metrics,
    IReadOnlyList<WordDto> QuarantineReasons, IReadOnlyList<string> Channels);
