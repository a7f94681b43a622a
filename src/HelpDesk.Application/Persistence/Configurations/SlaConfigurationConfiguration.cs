using HelpDesk.Domain.Sla;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HelpDesk.Application.Persistence.Configurations;

internal sealed class SlaPolicyVersionConfiguration : IEntityTypeConfiguration<SlaPolicyVersion>
{
    public void Configure(EntityTypeBuilder<SlaPolicyVersion> b)
    {
        b.ToTable("SlaPolicyVersions");
        b.Property(p => p.Id).ValueGeneratedNever();
        b.Property(p => p.Name).HasMaxLength(100);
        b.Property(p => p.CalendarName).HasMaxLength(100);
        b.HasIndex(p => new { p.Name, p.Version }).IsUnique();
        // Versions are immutable, so a reference comparer is enough for change tracking.
        b.Property(p => p.Conditions).HasMaxLength(-1).HasConversion(
            Converters.AsJson<SlaPolicyConditions, StoredConditions>(StoredConditions.From, s => s.ToConditions()),
            new ValueComparer<SlaPolicyConditions>((x, y) => ReferenceEquals(x, y), x => x.GetHashCode(), x => x));
        b.Property(p => p.Terms).HasMaxLength(-1).HasConversion(
            Converters.AsJson<SlaPolicyTerms, StoredTerms>(StoredTerms.From, s => s.ToTerms()),
            new ValueComparer<SlaPolicyTerms>((x, y) => ReferenceEquals(x, y), x => x.GetHashCode(), x => x));
    }
}

internal sealed class CalendarVersionConfiguration : IEntityTypeConfiguration<BusinessCalendarVersion>
{
    public void Configure(EntityTypeBuilder<BusinessCalendarVersion> b)
    {
        b.ToTable("CalendarVersions");
        b.Property(c => c.Id).ValueGeneratedNever();
        b.Property(c => c.Name).HasMaxLength(100);
        b.HasIndex(c => new { c.Name, c.Version }).IsUnique();
        b.Property(c => c.Calendar).HasMaxLength(-1).HasConversion(
            Converters.AsJson<BusinessCalendar, StoredCalendar>(StoredCalendar.From, s => s.ToCalendar()),
            new ValueComparer<BusinessCalendar>((x, y) => ReferenceEquals(x, y), x => x.GetHashCode(), x => x));
    }
}
