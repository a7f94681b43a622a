using System.Text.RegularExpressions;
using HelpDesk.Domain.Common;

namespace HelpDesk.Domain.Macros;

/// <summary>
/// The reply text of a macro: words with placeholders <c>{{customer.firstName}}</c>, each with an optional fallback
/// <c>{{customer.firstName | "there"}}</c>. Only the names of <see cref="Variables"/> are known; a placeholder whose
/// value is missing and has no fallback refuses the whole text, so a half-filled reply never reaches a customer.
/// </summary>
public static partial class MacroTemplate
{
    /// <summary>Every variable a macro may use, in the order the console lists them.</summary>
    public static IReadOnlyList<string> Variables { get; } =
    [
        "customer.name", "customer.firstName", "customer.email", "customer.organisation",
        "ticket.number", "ticket.subject", "ticket.status", "ticket.priority", "ticket.team",
        "agent.name", "agent.firstName", "agent.email",
        "sla.firstResponse.dueAt", "sla.nextReply.dueAt", "sla.resolution.dueAt",
    ];

    [GeneratedRegex("""\{\{\s*(?<name>[A-Za-z][A-Za-z0-9.]*)\s*(?:\|\s*"(?<fallback>[^"{}]*)"\s*)?\}\}""")]
    private static partial Regex Placeholder();

    /// <summary>What is wrong with a text as a macro's reply: unknown variables and malformed placeholders (empty when none).</summary>
    public static IReadOnlyList<string> Problems(string text)
    {
        var problems = new List<string>();
        foreach (Match m in Placeholder().Matches(text))
        {
            var name = m.Groups["name"].Value;
            if (!Variables.Contains(name))
                problems.Add($"{{{{{name}}}}} is not a variable; use one of {string.Join(", ", Variables)}.");
        }
        if (Placeholder().Replace(text, "").Contains("{{", StringComparison.Ordinal))
            problems.Add("A placeholder is not closed or not in the form {{name}} or {{name | \"fallback\"}}.");
        return problems;
    }

    /// <summary>
    /// The text with every placeholder replaced by its value, or by its fallback when the value is missing (null or
    /// blank). Refuses (<c>macro.variable_missing</c>, naming the variable) when a value is missing and there is no fallback.
    /// </summary>
    public static string Render(string text, Func<string, string?> value) =>
        Placeholder().Replace(text, m =>
        {
            var name = m.Groups["name"].Value;
            if (!Variables.Contains(name)) throw new DomainRuleViolation("macro.variable_unknown", $"{{{{{name}}}}} is not a variable.");
            var v = value(name);
            if (!string.IsNullOrWhiteSpace(v)) return v;
            if (m.Groups["fallback"].Success) return m.Groups["fallback"].Value;
            throw new MissingVariable(name);
        });
}

/// <summary>A macro's variable has no value for this ticket and no fallback; <see cref="Variable"/> names it.</summary>
public sealed class MissingVariable(string variable)
    : DomainRuleViolation("macro.variable_missing", $"The variable {{{{{variable}}}}} has no value here and no fallback; add one: {{{{{variable} | \"…\"}}}}.")
{
    public string Variable { get; } = variable;
}
