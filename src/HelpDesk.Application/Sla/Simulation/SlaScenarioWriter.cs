using System.Text.Json;
using HelpDesk.Application.Common;
using HelpDesk.Application.Configuration.PutCalendar;
using HelpDesk.Application.Configuration.PutSlaPolicy;
using HelpDesk.Domain.Sla;
using NodaTime;

namespace HelpDesk.Application.Sla.Simulation;

/// <summary>
/// Writes a scenario in the <c>helpdesk sla simulate</c> input shape (<see cref="SlaScenarioParser"/> reads it back to
/// the same terms and events). The format has one set of terms, so a ledger's terms changes are not written: the caller
/// chooses which terms (a ticket's scenario uses those in force at its evaluation instant).
/// </summary>
public static class SlaScenarioWriter
{
    public static string Write(SlaTerms terms, IEnumerable<SlaEvent> events, Instant now)
    {
        var calendar = CalendarBody.From(terms.Calendar);
        var scenario = new Dictionary<string, object?>
        {
            ["calendar"] = terms.Calendar.IsAlwaysOpen
                ? "24/7"
                : new Dictionary<string, object?> { ["timeZone"] = calendar.TimeZone, ["week"] = calendar.Week, ["holidays"] = calendar.Holidays },
            ["policy"] = new Dictionary<string, object?>
            {
                ["targets"] = terms.Policy.Targets.OrderBy(kv => kv.Key).ToDictionary(kv => Vocabulary.Name(kv.Key), kv => Targets(TargetsBody.From(kv.Value))),
                ["warnAtPercent"] = terms.Policy.WarnAtPercent.Order().ToList(),
                ["pauseOn"] = terms.Policy.PauseOn.Order().Select(Vocabulary.Name).ToList(),
            },
            ["events"] = events.Where(e => e is not SlaEvent.TermsChanged).Select(Event).ToList(),
            ["now"] = SlaReportJson.FormatInstant(now),
        };
        return JsonSerializer.Serialize(scenario, SlaReportJson.Options);
    }

    // Absent targets are left out: the scenario format refuses nothing but does not need nulls.
    private static Dictionary<string, string> Targets(TargetsBody t) => new[]
        {
            ("firstResponse", t.FirstResponse), ("nextReply", t.NextReply), ("resolution", t.Resolution),
        }.Where(p => p.Item2 is not null).ToDictionary(p => p.Item1, p => p.Item2!);

    private static Dictionary<string, string> Event(SlaEvent e)
    {
        var at = SlaReportJson.FormatInstant(e.At);
        return e switch
        {
            SlaEvent.Created c => new() { ["type"] = "created", ["at"] = at, ["priority"] = Vocabulary.Name(c.Priority) },
            SlaEvent.AgentReply => new() { ["type"] = "agent_reply", ["at"] = at },
            SlaEvent.InternalNote => new() { ["type"] = "internal_note", ["at"] = at },
            SlaEvent.CustomerReply => new() { ["type"] = "customer_reply", ["at"] = at },
            SlaEvent.AutoReply => new() { ["type"] = "auto_reply", ["at"] = at },
            SlaEvent.StatusChanged s => new() { ["type"] = "status", ["at"] = at, ["status"] = Vocabulary.Name(s.Status) },
            SlaEvent.PriorityChanged p => new() { ["type"] = "priority", ["at"] = at, ["priority"] = Vocabulary.Name(p.Priority) },
            _ => throw new ArgumentOutOfRangeException(nameof(e), e, "not a scenario event"),
        };
    }
}
