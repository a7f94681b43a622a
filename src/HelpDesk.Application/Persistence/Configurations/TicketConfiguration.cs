using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HelpDesk.Application.Persistence.Configurations;

/// <summary>Applied by <see cref="HelpDeskDbContext"/> with the provider's SQL (the queue index's filter differs per provider).</summary>
internal sealed class TicketConfiguration(ProviderSql sql) : IEntityTypeConfiguration<Ticket>
{

    public void Configure(EntityTypeBuilder<Ticket> b)
    {
        b.ToTable("Tickets");
        b.HasKey(t => t.Id);
        b.Property(t => t.Id).ValueGeneratedNever();
        b.HasIndex(t => t.Number).IsUnique();
        b.Property(t => t.Subject).HasMaxLength(Ticket.MaxSubjectLength);
        b.Property(t => t.Channel).HasMaxLength(20);
        b.Property(t => t.Priority).HasConversion<string>().HasMaxLength(10);
        b.Property(t => t.Status).HasConversion<string>().HasMaxLength(10);
        b.Property(t => t.SlaPolicyName).HasMaxLength(100);
        b.Property(t => t.Version).IsConcurrencyToken();
        b.PrimitiveCollection<List<string>>("_tags").HasColumnName("Tags").HasMaxLength(4000);
        b.PrimitiveCollection<List<string>>("_participants").HasColumnName("Participants").HasMaxLength(4000);
        b.Ignore(t => t.Tags);
        b.Ignore(t => t.Participants);
        b.Ignore(t => t.Events);
        b.HasMany(t => t.Articles).WithOne().HasForeignKey(a => a.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(t => t.Articles).HasField("_articles").UsePropertyAccessMode(PropertyAccessMode.Field);
        b.HasMany(t => t.History).WithOne().HasForeignKey("TicketId").OnDelete(DeleteBehavior.Cascade);
        b.Navigation(t => t.History).HasField("_history").UsePropertyAccessMode(PropertyAccessMode.Field);
        // The queue: a team's open tickets by nearest SLA due instant; the due-queue: the next alert instant.
        b.HasIndex(t => new { t.TeamId, t.Status, t.SlaDueAt });
        // Solved and closed tickets listed most recently updated first (GetQueue).
        b.HasIndex(t => new { t.TeamId, t.Status, t.UpdatedAt, t.Number });
        // The queue's read: a team's workable tickets in queue order, covering (Number names the page, Status serves a status filter). Filtered (SQLite and PostgreSQL partial, SQL Server filtered) to
        // the ~1 % of tickets not solved or closed; GetQueue repeats the filter verbatim so SQLite can use it.
        b.HasIndex(t => new { t.TeamId, t.SlaDueAt, t.CreatedAt, t.Number, t.Status }, "IX_Tickets_Queue")
            .HasFilter(sql.QueueIndexFilter);
        b.HasIndex(t => t.SlaNextAlertAt);
        b.HasIndex(t => new { t.AssigneeId, t.Status });
        b.HasIndex(t => t.RequesterId);
    }
}

internal sealed class ArticleConfiguration : IEntityTypeConfiguration<Article>
{
    public void Configure(EntityTypeBuilder<Article> b)
    {
        b.ToTable("Articles");
        b.HasKey(a => a.Id);
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.Visibility).HasConversion<string>().HasMaxLength(10);
        b.Property(a => a.AuthorType).HasConversion<string>().HasMaxLength(10);
        b.Property(a => a.AuthorName).HasMaxLength(200);
        b.Property(a => a.AuthorEmail).HasMaxLength(254);
        b.Property(a => a.BodyText).HasMaxLength(-1);
        b.Property(a => a.BodyHtml).HasMaxLength(-1);
        b.HasIndex(a => new { a.TicketId, a.CreatedAt });
    }
}

internal sealed class TicketChangeConfiguration : IEntityTypeConfiguration<TicketChange>
{
    public void Configure(EntityTypeBuilder<TicketChange> b)
    {
        b.ToTable("TicketChanges");
        b.HasKey(c => c.Id);
        b.Property(c => c.Id).ValueGeneratedNever();
        b.Property(c => c.Kind).HasConversion<string>().HasMaxLength(30);
        b.Property(c => c.ActorType).HasConversion<string>().HasMaxLength(10);
        b.Property(c => c.From).HasMaxLength(200);
        b.Property(c => c.To).HasMaxLength(200);
        b.Property<Guid>("TicketId");
        b.HasIndex("TicketId", nameof(TicketChange.Sequence)).IsUnique();
    }
}
