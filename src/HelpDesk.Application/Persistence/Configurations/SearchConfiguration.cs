using HelpDesk.Application.Search;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HelpDesk.Application.Persistence.Configurations;

/// <summary>
/// The search documents. Their full-text or trigram indexes are not in the model (EF has no words for them): each
/// provider's migration creates them from <see cref="ProviderSql.SearchIndexDdl"/>.
/// </summary>
internal sealed class SearchDocumentConfiguration : IEntityTypeConfiguration<SearchDocument>
{
    public void Configure(EntityTypeBuilder<SearchDocument> b)
    {
        b.ToTable("SearchDocuments");
        b.HasKey(d => d.Number);
        b.Property(d => d.Number).ValueGeneratedNever();
        b.Property(d => d.Title).HasMaxLength(-1);
        b.Property(d => d.Body).HasMaxLength(-1);
        b.HasIndex(d => d.TicketId).IsUnique();
        // A deleted ticket takes its document with it, in the database, whatever deleted it.
        b.HasOne<Ticket>().WithOne().HasForeignKey<SearchDocument>(d => d.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}
