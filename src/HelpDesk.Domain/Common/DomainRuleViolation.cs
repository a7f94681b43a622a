namespace HelpDesk.Domain.Common;

/// <summary>
/// A business rule refused a change. <see cref="Code"/> is stable and machine-readable (e.g. <c>ticket.closed</c>);
/// the API maps it to 409/422 ProblemDetails.
/// </summary>
public class DomainRuleViolation(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}

/// <summary>The caller acted on a version of the aggregate that is no longer current (stale reply, lost race).</summary>
public sealed class ConcurrencyConflict(string code, string message) : DomainRuleViolation(code, message);
