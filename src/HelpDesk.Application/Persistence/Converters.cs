using System.Text.Json;
using System.Text.Json.Serialization;
using HelpDesk.Application.Sla.Format;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace HelpDesk.Application.Persistence;

/// <summary>
/// Value converters that keep the model provider-neutral: instants as UTC <see cref="DateTime"/> (datetime2 on SQL Server,
/// sortable ISO text on SQLite) and configuration values as JSON text.
/// </summary>
public static class Converters
{
    public static readonly ValueConverter<Instant, DateTime> Instant = new(
        i => i.ToDateTimeUtc(),
        d => NodaTime.Instant.FromDateTimeUtc(DateTime.SpecifyKind(d, DateTimeKind.Utc)));

    public static readonly ValueConverter<Instant?, DateTime?> NullableInstant = new(
        i => i.HasValue ? i.Value.ToDateTimeUtc() : null,
        d => d.HasValue ? NodaTime.Instant.FromDateTimeUtc(DateTime.SpecifyKind(d.Value, DateTimeKind.Utc)) : null);

    public static readonly JsonSerializerOptions Json = CreateJsonOptions();

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        return options;
    }

    /// <summary>Stores a domain value as the JSON of a plain record.</summary>
    public static ValueConverter<TDomain, string> AsJson<TDomain, TStored>(Func<TDomain, TStored> toStored, Func<TStored, TDomain> fromStored) => new(
        v => JsonSerializer.Serialize(toStored(v), Json),
        s => fromStored(JsonSerializer.Deserialize<TStored>(s, Json)!));
}

/// <summary>
/// How calendars and policy terms are stored: plain records in the same vocabulary as the API and the simulator; a
/// stored calendar is read back by <see cref="CalendarFormat"/>, the parser the API and the simulator use.
/// </summary>
public sealed record StoredCalendar(string TimeZone, bool AlwaysOpen, Dictionary<IsoDayOfWeek, List<string[]>> Week, List<LocalDate> Holidays)
{
    public static StoredCalendar From(BusinessCalendar c) => new(
        c.Zone.Id,
        c.IsAlwaysOpen,
        c.Week.ToDictionary(kv => kv.Key, kv => kv.Value.Select(CalendarFormat.FormatRange).ToList()),
        c.Holidays.Order().ToList());

    public BusinessCalendar ToCalendar()
    {
        if (AlwaysOpen) return BusinessCalendar.TwentyFourSeven;
        var errors = new List<FieldError>();
        var calendar = CalendarFormat.Parse(TimeZone, Week.Select(kv => (CalendarFormat.DayName(kv.Key), (IReadOnlyList<IReadOnlyList<string>>)kv.Value)),
            Holidays.Select(d => d.ToString("uuuu-MM-dd", null)), errors);
        return calendar ?? throw new InvalidOperationException($"Stored calendar is invalid: {string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}"))}");
    }
}

public sealed record StoredTargets(Duration? FirstResponse, Duration? NextReply, Duration? Resolution);

public sealed record StoredTerms(Dictionary<Priority, StoredTargets> Targets, List<int> WarnAtPercent, List<TicketStatus> PauseOn)
{
    public static StoredTerms From(SlaPolicyTerms t) => new(
        t.Targets.ToDictionary(kv => kv.Key, kv => new StoredTargets(kv.Value.FirstResponse, kv.Value.NextReply, kv.Value.Resolution)),
        t.WarnAtPercent.ToList(),
        t.PauseOn.Order().ToList());

    public SlaPolicyTerms ToTerms() => new(
        Targets.ToDictionary(kv => kv.Key, kv => new SlaTargets(kv.Value.FirstResponse, kv.Value.NextReply, kv.Value.Resolution)),
        WarnAtPercent.Order().ToList(),
        PauseOn.ToHashSet());
}

public sealed record StoredConditions(List<Priority> Priorities, List<string> Teams, List<string> Channels, List<string> Tags, List<string> Organisations)
{
    public static StoredConditions From(SlaPolicyConditions c) => new(
        c.Priorities.Order().ToList(), c.Teams.Order().ToList(), c.Channels.Order().ToList(), c.Tags.Order().ToList(), c.Organisations.Order().ToList());

    public SlaPolicyConditions ToConditions() => new(
        Priorities.ToHashSet(), Teams.ToHashSet(StringComparer.OrdinalIgnoreCase), Channels.ToHashSet(StringComparer.OrdinalIgnoreCase),
        Tags.ToHashSet(StringComparer.OrdinalIgnoreCase), Organisations.ToHashSet(StringComparer.OrdinalIgnoreCase));
}
