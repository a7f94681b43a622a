using HelpDesk.Domain.Surveys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HelpDesk.Application.Persistence.Configurations;

internal sealed class SurveyConfiguration : IEntityTypeConfiguration<Survey>
{
    public void Configure(EntityTypeBuilder<Survey> b)
    {
        b.ToTable("Surveys");
        b.HasKey(s => s.Id);
        b.Property(s => s.Id).ValueGeneratedNever();
        b.Property(s => s.Recipient).HasMaxLength(254);
        b.Property(s => s.Comment).HasMaxLength(Survey.MaxCommentLength);
        // At most one survey per solve, whatever path solved the ticket and however often it is retried.
        b.HasIndex(s => new { s.TicketId, s.SolveSequence }).IsUnique();
        // Answers in a period with what the metrics read of them, so the range needs no row lookups (SQLite has no INCLUDE).
        b.HasIndex(s => new { s.AnsweredAt, s.TicketId, s.Rating, s.Nps, s.Ces });
        b.HasOne<Domain.Tickets.Ticket>().WithMany().HasForeignKey(s => s.TicketId).OnDelete(DeleteBehavior.Cascade);
    }
}
