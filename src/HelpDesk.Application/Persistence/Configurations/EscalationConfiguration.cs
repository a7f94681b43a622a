using HelpDesk.Application.Escalation;
using HelpDesk.Domain.Escalation;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HelpDesk.Application.Persistence.Configurations;

internal sealed class EscalationRuleConfiguration : IEntityTypeConfiguration<EscalationRule>
{
    public void Configure(EntityTypeBuilder<EscalationRule> b)
    {
        b.ToTable("EscalationRules");
        b.Property(r => r.Id).ValueGeneratedNever();
        b.Property(r => r.Name).HasMaxLength(100);
        b.HasIndex(r => r.Name).IsUnique();
        b.Property(r => r.Version).IsConcurrencyToken();
        // Stored in the API's own JSON shape. Replace() assigns new values, so a reference comparer sees every edit.
        b.Property(r => r.Filters).HasMaxLength(-1).HasConversion(
            Converters.AsJson<EscalationFilters, EscalationFiltersBody>(EscalationRuleShape.From, EscalationRuleShape.ToFilters),
            new ValueComparer<EscalationFilters>((x, y) => ReferenceEquals(x, y), x => x.GetHashCode(), x => x));
        b.Property(r => r.Steps).HasMaxLength(-1).HasConversion(
            Converters.AsJson<IReadOnlyList<EscalationStep>, List<EscalationStepBody>>(EscalationRuleShape.From, EscalationRuleShape.ToSteps),
            new ValueComparer<IReadOnlyList<EscalationStep>>((x, y) => ReferenceEquals(x, y), x => x.GetHashCode(), x => x));
        b.Ignore(r => r.HasTimers);
    }
}

internal sealed class EscalationFiringConfiguration : IEntityTypeConfiguration<EscalationFiring>
{
    public void Configure(EntityTypeBuilder<EscalationFiring> b)
    {
        b.ToTable("EscalationFirings");
        b.Property(f => f.Id).ValueGeneratedNever();
        b.Property(f => f.RuleName).HasMaxLength(100);
        b.Property(f => f.Clock).HasMaxLength(20);
        b.HasIndex(f => new { f.RuleId, f.Step, f.TicketId, f.Clock, f.Cycle }).IsUnique();
        b.HasIndex(f => f.TicketId);
    }
}
