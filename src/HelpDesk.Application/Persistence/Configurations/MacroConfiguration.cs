using HelpDesk.Domain.Macros;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HelpDesk.Application.Persistence.Configurations;

internal sealed class MacroConfiguration : IEntityTypeConfiguration<Macro>
{
    public void Configure(EntityTypeBuilder<Macro> b)
    {
        b.ToTable("Macros");
        b.HasKey(m => m.Id);
        b.Property(m => m.Id).ValueGeneratedNever();
        b.Property(m => m.Name).HasMaxLength(Macro.MaxNameLength);
        b.Property(m => m.Body).HasMaxLength(-1);
        b.Property(m => m.Visibility).HasConversion<string>().HasMaxLength(10);
        b.Property(m => m.Status).HasConversion<string>().HasMaxLength(10);
        b.Property(m => m.Priority).HasConversion<string>().HasMaxLength(10);
        b.Property(m => m.Assignee).HasMaxLength(254);
        b.PrimitiveCollection<List<string>>("_addTags").HasColumnName("AddTags").HasMaxLength(4000);
        b.PrimitiveCollection<List<string>>("_removeTags").HasColumnName("RemoveTags").HasMaxLength(4000);
        b.Ignore(m => m.AddTags);
        b.Ignore(m => m.RemoveTags);
        b.Ignore(m => m.Actions);
        b.HasIndex(m => new { m.TeamId, m.Name });
    }
}

internal sealed class MacroUseConfiguration : IEntityTypeConfiguration<MacroUse>
{
    public void Configure(EntityTypeBuilder<MacroUse> b)
    {
        b.ToTable("MacroUses");
        b.HasKey(u => u.Id);
        b.Property(u => u.Id).ValueGeneratedNever();
        b.HasIndex(u => u.MacroId);
        b.HasOne<Macro>().WithMany().HasForeignKey(u => u.MacroId).OnDelete(DeleteBehavior.Cascade);
    }
}
