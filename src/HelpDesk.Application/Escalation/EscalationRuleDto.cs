using HelpDesk.Domain.Escalation;
using NodaTime;

namespace HelpDesk.Application.Escalation;

/// <summary>A rule as the API shows it: the body it was put with, plus its name, version and last change.</summary>
public sealed record EscalationRuleDto(string Name, int Position, bool Active, int Version, Instant UpdatedAt,
    EscalationFiltersBody Filters, List<EscalationStepBody> Steps)
{
    public static EscalationRuleDto From(EscalationRule r) =>
        new(r.Name, r.Position, r.IsActive, r.Version, r.UpdatedAt, EscalationRuleShape.From(r.Filters), EscalationRuleShape.From(r.Steps));
}
