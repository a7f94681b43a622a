using HelpDesk.Domain.Sla;
using NodaTime;

namespace HelpDesk.Application.Sla.Simulation;

/// <summary>A parsed <c>helpdesk sla simulate</c> input: the terms, the ticket's SLA history and the evaluation instant.</summary>
public sealed record SlaScenario(SlaTerms Terms, IReadOnlyList<SlaEvent> Events, Instant Now);

/// <summary>
/// Bad simulator input. <see cref="Exception.Message"/> is one line that starts with the offending field,
/// e.g. <c>calendar.timeZone: unknown time zone 'Mars/Olympus'</c>.
/// </summary>
public sealed class SlaScenarioException : Exception
{
    public SlaScenarioException(string field, string problem)
        : this($"{field}: {problem}")
    {
    }

    private SlaScenarioException(string message)
        : base(OneLine(message))
    {
    }

    /// <summary>The offending field's JSON path (<c>events[4].type</c>; <c>input</c> for the document as a whole).</summary>
    public string Field => Message.Split(": ", 2)[0];

    /// <summary>What is wrong with <see cref="Field"/>.</summary>
    public string Problem => Message.Split(": ", 2) is [_, var problem] ? problem : Message;

    /// <summary>Wraps a domain validation message that already names its field (e.g. <c>events[3]: ...</c>).</summary>
    internal static SlaScenarioException FromDomain(ArgumentException e) => new(e.Message);

    private static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
