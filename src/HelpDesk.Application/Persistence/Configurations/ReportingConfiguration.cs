using HelpDesk.Application.Reporting;
using HelpDesk.Domain.Reporting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HelpDesk.Application.Persistence.Configurations;

internal sealed class ReportTicketConfiguration : IEntityTypeConfiguration<ReportTicket>
{
    public void Configure(EntityTypeBuilder<ReportTicket> b)
    {
        b.ToTable("ReportTickets");
        b.HasKey(r => r.TicketId);
        b.Property(r => r.TicketId).ValueGeneratedNever();
        b.Property(r => r.Priority).HasConversion<string>().HasMaxLength(10);
        b.Property(r => r.Status).HasConversion<string>().HasMaxLength(10);
        b.Property(r => r.Channel).HasMaxLength(20);
        b.Property(r => r.SlaPolicyName).HasMaxLength(100);
        b.HasOne<Domain.Tickets.Ticket>().WithOne().HasForeignKey<ReportTicket>(r => r.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(r => r.Cycles).WithOne().HasForeignKey(c => c.TicketId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(r => r.Number).IsUnique();
        // Periods: created in (resolution rate), solved in (resolution, FCR, scorecards).
        b.HasIndex(r => new { r.CreatedAt, r.TeamId });
        // With the durations the metrics read, so a period's figures come from the index alone (SQLite has no INCLUDE).
        b.HasIndex(r => new { r.SolvedAt, r.TeamId, r.ResolutionBusinessMs, r.ResolutionCalendarMs, r.FirstContactResolution });
        b.HasIndex(r => new { r.SolvedById, r.SolvedAt });
        // Survey answers joined to their ticket's team and credited agent without a row lookup per answer.
        b.HasIndex(r => new { r.TicketId, r.TeamId, r.SolvedById });
        // First responses in a period (metrics: FRT figures and distribution).
        b.HasIndex(r => new { r.FirstResponseAt, r.TeamId, r.FirstResponseBusinessMs, r.FirstResponseCalendarMs, r.FirstResponderId });
    }
}

internal sealed class ReportCycleConfiguration : IEntityTypeConfiguration<ReportCycle>
{
    public void Configure(EntityTypeBuilder<ReportCycle> b)
    {
        b.ToTable("ReportCycles");
        b.HasKey(c => new { c.TicketId, c.Metric, c.Cycle });
        b.Property(c => c.Metric).HasConversion<string>().HasMaxLength(20);
        b.Property(c => c.State).HasConversion<string>().HasMaxLength(10);
        b.Property(c => c.Priority).HasConversion<string>().HasMaxLength(10);
        b.Property(c => c.Channel).HasMaxLength(20);
        b.Property(c => c.Explanation).HasMaxLength(-1);
        // The breach review lists by breach instant; attainment counts cycles stopped in a period.
        b.HasIndex(c => new { c.BreachedAt, c.TeamId });
        // Clock first, then the stop instant: attainment per clock and week is a count over one range each, and the
        // next-reply durations one range read; state, team and durations too, so both come from the index alone.
        b.HasIndex(c => new { c.Metric, c.StoppedAt, c.State, c.TeamId, c.CountedMs, c.CalendarMs });
        // The cycles export: stopped or breached in a period (an OR over this index and the breach one).
        b.HasIndex(c => c.StoppedAt);
        b.HasIndex(c => new { c.AttributedAgentId, c.BreachedAt });
    }
}

internal sealed class BreachAcknowledgementConfiguration : IEntityTypeConfiguration<BreachAcknowledgement>
{
    public void Configure(EntityTypeBuilder<BreachAcknowledgement> b)
    {
        b.ToTable("BreachAcknowledgements");
        b.HasKey(a => new { a.TicketId, a.Metric, a.Cycle });
        b.Property(a => a.Metric).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.Category).HasConversion<string>().HasMaxLength(20);
        b.Property(a => a.Note).HasMaxLength(BreachAcknowledgement.MaxNoteLength);
        // Goes with its cycle (and so with its ticket): one cascade path, which SQL Server requires.
        b.HasOne<ReportCycle>().WithOne().HasForeignKey<BreachAcknowledgement>(a => new { a.TicketId, a.Metric, a.Cycle }).OnDelete(DeleteBehavior.Cascade);
    }
}
