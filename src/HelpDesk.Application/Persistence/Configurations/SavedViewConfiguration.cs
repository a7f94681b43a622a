using HelpDesk.Application.Tickets.Views;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HelpDesk.Application.Persistence.Configurations;

internal sealed class SavedViewConfiguration : IEntityTypeConfiguration<SavedView>
{
    public void Configure(EntityTypeBuilder<SavedView> b)
    {
        b.ToTable("SavedViews");
        b.HasKey(v => v.Id);
        b.Property(v => v.Name).HasMaxLength(80);
        b.Property(v => v.View).HasMaxLength(20);
        b.Property(v => v.Team).HasMaxLength(100);
        b.Property(v => v.Statuses).HasMaxLength(100);
        b.Property(v => v.Assignee).HasMaxLength(320);
        b.Property(v => v.Priority).HasMaxLength(20);
        b.Property(v => v.Sort).HasMaxLength(20);
        // Saving under a name an agent already used replaces that view.
        b.HasIndex(v => new { v.AgentId, v.Name }).IsUnique();
    }
}
