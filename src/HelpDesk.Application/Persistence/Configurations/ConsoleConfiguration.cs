using HelpDesk.Application.AgentConsole;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HelpDesk.Application.Persistence.Configurations;

internal sealed class ConsoleConfiguration : IEntityTypeConfiguration<ConsoleEvent>, IEntityTypeConfiguration<ConsoleStreamHead>, IEntityTypeConfiguration<ConsolePresence>
{
    public void Configure(EntityTypeBuilder<ConsoleEvent> b)
    {
        b.ToTable("ConsoleEvents");
        b.HasKey(e => e.Id);
        b.Property(e => e.Stream).HasMaxLength(200);
        b.Property(e => e.Type).HasMaxLength(50);
        b.Property(e => e.Payload).HasMaxLength(-1);
        b.HasIndex(e => new { e.Stream, e.Sequence }).IsUnique();
        // Retention deletes by age (ConsoleEventRetention).
        b.HasIndex(e => e.At);
    }

    public void Configure(EntityTypeBuilder<ConsoleStreamHead> b)
    {
        b.ToTable("ConsoleStreamHeads");
        b.HasKey(h => h.Stream);
        b.Property(h => h.Stream).HasMaxLength(200);
    }

    public void Configure(EntityTypeBuilder<ConsolePresence> b)
    {
        b.ToTable("ConsolePresence");
        b.HasKey(p => p.ConnectionId);
        b.Property(p => p.ConnectionId).HasMaxLength(100);
        b.Property(p => p.NodeId).HasMaxLength(100);
        b.HasIndex(p => p.TicketNumber);
        b.HasIndex(p => p.ExpiresAt);
    }
}
