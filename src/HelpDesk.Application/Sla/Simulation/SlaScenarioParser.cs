using HelpDesk.Application.Common;
using HelpDesk.Application.Sla.Format;
using System.Text.Json;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using NodaTime;
using NodaTime.Text;

namespace HelpDesk.Application.Sla.Simulation;

/// <summary>
/// Parses the <c>helpdesk sla simulate</c> input of sla.md "Explain and simulate" into a <see cref="SlaScenario"/>.
/// Strict: unknown properties are refused (a typo must not silently drop a target), and every problem is reported as a
/// <see cref="SlaScenarioException"/> naming the field by its JSON path (<c>events[4].type</c>).
/// </summary>
public static class SlaScenarioParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };
    /// <summary>Parses and validates a scenario.</summary>
    /// <exception cref="SlaScenarioException">bad input, with one line naming the field.</exception>
    public static SlaScenario Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" at line {line + 1}, position {e.BytePositionInLine + 1}" : "";
            throw new SlaScenarioException("input", $"invalid JSON{where}");
        }

        using (document)
        {
            var root = document.RootElement;
            Expect(root, JsonValueKind.Object, "input", "an object");
            AllowOnly(root, "", "calendar", "policy", "events", "now");
            var calendar = ParseCalendar(Required(root, "calendar", "calendar"));
            var policy = ParsePolicy(Required(root, "policy", "policy"));
            var events = ParseEvents(Required(root, "events", "events"));
            var now = ParseInstant(Required(root, "now", "now"), "now");
            try
            {
                SlaEngine.Validate(events);
            }
            catch (ArgumentException e)
            {
                throw SlaScenarioException.FromDomain(e);
            }

            return new SlaScenario(new SlaTerms(calendar, policy), events, now);
        }
    }

    private static BusinessCalendar ParseCalendar(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return element.GetString() == "24/7"
                ? BusinessCalendar.TwentyFourSeven
                : throw new SlaScenarioException("calendar", $"expected \"24/7\" or an object, not '{element.GetString()}'");
        }

        // The JSON shape is checked here; what the text means is CalendarFormat's, the API's and storage's reading too.
        Expect(element, JsonValueKind.Object, "calendar", "\"24/7\" or an object");
        AllowOnly(element, "calendar", "timeZone", "week", "holidays");
        var zoneId = String(Required(element, "timeZone", "calendar.timeZone"), "calendar.timeZone");
        var weekElement = Required(element, "week", "calendar.week");
        Expect(weekElement, JsonValueKind.Object, "calendar.week", "an object of weekdays");
        var week = weekElement.EnumerateObject()
            .Select(day => (day.Name, (IReadOnlyList<IReadOnlyList<string>>)Items(day.Value, $"calendar.week.{day.Name}", "an array of [\"HH:mm\", \"HH:mm\"] ranges", RangeTexts)))
            .ToList();
        var holidays = element.TryGetProperty("holidays", out var holidaysElement)
            ? Items(holidaysElement, "calendar.holidays", "an array of dates", String)
            : [];

        var errors = new List<FieldError>();
        return CalendarFormat.Parse(zoneId, week, holidays, errors) ?? throw Problem(errors[0].Under("calendar"));
    }

    private static IReadOnlyList<string> RangeTexts(JsonElement range, string field) =>
        range.ValueKind == JsonValueKind.Array && range.GetArrayLength() == 2
            ? [String(range[0], $"{field}[0]"), String(range[1], $"{field}[1]")]
            : throw new SlaScenarioException(field, "expected [\"HH:mm\", \"HH:mm\"]");

    private static SlaScenarioException Problem(FieldError error) => new(error.Field, error.Message);

    private static int ParsePercent(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt32(out var percent) && percent is >= 1 and <= 100
            ? percent
            : throw new SlaScenarioException(field, $"expected a whole percentage from 1 to 100, not {element.GetRawText()}");

    /// <summary>Parses each item of a JSON array, naming it <c>field[i]</c>.</summary>
    private static List<T> Items<T>(JsonElement array, string field, string what, Func<JsonElement, string, T> parse)
    {
        Expect(array, JsonValueKind.Array, field, what);
        var items = new List<T>(array.GetArrayLength());
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            items.Add(parse(item, $"{field}[{i++}]"));
        }

        return items;
    }

    private static SlaPolicyTerms ParsePolicy(JsonElement element)
    {
        Expect(element, JsonValueKind.Object, "policy", "an object");
        AllowOnly(element, "policy", "targets", "warnAtPercent", "pauseOn");
        var targetsElement = Required(element, "targets", "policy.targets");
        Expect(targetsElement, JsonValueKind.Object, "policy.targets", "an object of priorities");
        var targets = new Dictionary<Priority, SlaTargets>();
        foreach (var p in targetsElement.EnumerateObject())
        {
            var field = $"policy.targets.{p.Name}";
            var priority = ParsePriority(p.Name, field);
            Expect(p.Value, JsonValueKind.Object, field, "an object of targets");
            AllowOnly(p.Value, field, "firstResponse", "nextReply", "resolution");
            var errors = new List<FieldError>();
            targets[priority] = PolicyTermsFormat.Targets(
                OptionalString(p.Value, "firstResponse", field),
                OptionalString(p.Value, "nextReply", field),
                OptionalString(p.Value, "resolution", field),
                allowZero: true,
                errors);
            if (errors.Count > 0) throw Problem(errors[0].Under(field));
        }

        IReadOnlyList<int> warnAt = element.TryGetProperty("warnAtPercent", out var warnElement)
            ? [.. Items(warnElement, "policy.warnAtPercent", "an array of percentages", ParsePercent).Distinct().Order()]
            : SlaPolicyTerms.DefaultWarnAtPercent;
        IReadOnlySet<TicketStatus> pauseOn = element.TryGetProperty("pauseOn", out var pauseElement)
            ? Items(pauseElement, "policy.pauseOn", "an array of statuses", ParsePauseStatus).ToHashSet()
            : SlaPolicyTerms.DefaultPauseOn;

        return new SlaPolicyTerms(targets, warnAt, pauseOn);
    }

    private static string? OptionalString(JsonElement parent, string name, string parentField) =>
        parent.TryGetProperty(name, out var element) && element.ValueKind != JsonValueKind.Null ? String(element, $"{parentField}.{name}") : null;

    private static List<SlaEvent> ParseEvents(JsonElement element) => Items(element, "events", "an array of events", ParseEvent);

    private static SlaEvent ParseEvent(JsonElement e, string field)
    {
        Expect(e, JsonValueKind.Object, field, "an object");
        var type = String(Required(e, "type", $"{field}.type"), $"{field}.type");
        var at = ParseInstant(Required(e, "at", $"{field}.at"), $"{field}.at");
        SlaEvent parsed = type switch
        {
            "created" => new SlaEvent.Created(at, ParsePriority(e, field)),
            "agent_reply" => new SlaEvent.AgentReply(at),
            "internal_note" => new SlaEvent.InternalNote(at),
            "customer_reply" => new SlaEvent.CustomerReply(at),
            "auto_reply" => new SlaEvent.AutoReply(at),
            "status" => new SlaEvent.StatusChanged(at, ParseStatus(String(Required(e, "status", $"{field}.status"), $"{field}.status"), $"{field}.status")),
            "priority" => new SlaEvent.PriorityChanged(at, ParsePriority(e, field)),
            _ => throw new SlaScenarioException($"{field}.type",
                $"unknown event type '{type}' (expected created, agent_reply, internal_note, customer_reply, auto_reply, status or priority)"),
        };
        AllowOnly(e, field, type switch
        {
            "created" or "priority" => ["at", "type", "priority"],
            "status" => ["at", "type", "status"],
            _ => ["at", "type"],
        });
        return parsed;
    }

    private static Priority ParsePriority(JsonElement e, string eventField) =>
        ParsePriority(String(Required(e, "priority", $"{eventField}.priority"), $"{eventField}.priority"), $"{eventField}.priority");

    // The scenario format is strict: exactly the words of sla.md (the API's vocabulary, but no other case or spacing).
    private static Priority ParsePriority(string text, string field) =>
        Vocabulary.TryPriority(text, out var priority) && Vocabulary.Name(priority) == text
            ? priority
            : throw new SlaScenarioException(field, $"unknown priority '{text}' (expected urgent, high, normal or low)");

    private static TicketStatus ParsePauseStatus(JsonElement element, string field)
    {
        var status = ParseStatus(String(element, field), field);
        return PolicyTermsFormat.CanPauseOn(status)
            ? status
            : throw new SlaScenarioException(field, $"'{element.GetString()}' cannot pause a clock (solved and closed stop it; pause on new, open, pending or on_hold)");
    }

    private static TicketStatus ParseStatus(string text, string field) =>
        Vocabulary.TryStatus(text, out var status) && Vocabulary.Name(status) == text
            ? status
            : throw new SlaScenarioException(field, $"unknown status '{text}' (expected new, open, pending, on_hold, solved or closed)");

    private static Instant ParseInstant(JsonElement element, string field)
    {
        var text = String(element, field);
        var parsed = InstantPattern.ExtendedIso.Parse(text);
        if (parsed.Success)
        {
            return parsed.Value;
        }

        var withOffset = OffsetDateTimePattern.ExtendedIso.Parse(text);
        return withOffset.Success
            ? withOffset.Value.ToInstant()
            : throw new SlaScenarioException(field, $"bad instant '{text}' (expected ISO-8601 like 2026-03-27T15:00:00Z)");
    }

    private static JsonElement Required(JsonElement parent, string name, string field) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : throw new SlaScenarioException(field, "missing");

    private static string String(JsonElement element, string field) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw new SlaScenarioException(field, $"expected a string, not {element.GetRawText()}");

    private static void Expect(JsonElement element, JsonValueKind kind, string field, string what)
    {
        if (element.ValueKind != kind)
        {
            throw new SlaScenarioException(field, $"expected {what}");
        }
    }

    private static void AllowOnly(JsonElement element, string field, params string[] names)
    {
        foreach (var p in element.EnumerateObject())
        {
            if (Array.IndexOf(names, p.Name) < 0)
            {
                throw new SlaScenarioException(field.Length == 0 ? p.Name : $"{field}.{p.Name}", "unknown property");
            }
        }
    }
}
