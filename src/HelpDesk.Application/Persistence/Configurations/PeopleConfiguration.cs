using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Notifications;
using HelpDesk.Domain.Teams;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace HelpDesk.Application.Persistence.Configurations;

internal sealed class CustomerConfiguration : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> b)
    {
        b.ToTable("Customers");
        b.Property(c => c.Id).ValueGeneratedNever();
        b.Property(c => c.Email).HasMaxLength(254);
        b.Property(c => c.Name).HasMaxLength(200);
        b.Property(c => c.Organisation).HasMaxLength(200);
        b.HasIndex(c => c.Email).IsUnique();
    }
}

internal sealed class AgentConfiguration : IEntityTypeConfiguration<Agent>
{
    public void Configure(EntityTypeBuilder<Agent> b)
    {
        b.ToTable("Agents");
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.Email).HasMaxLength(254);
        b.Property(a => a.Name).HasMaxLength(200);
        b.Property(a => a.Role).HasConversion<string>().HasMaxLength(10);
        b.HasIndex(a => a.Email).IsUnique();
        b.PrimitiveCollection<List<Guid>>("_teamIds").HasColumnName("TeamIds").HasMaxLength(4000);
        b.Ignore(a => a.TeamIds);
        b.Property(a => a.Version).IsConcurrencyToken();
    }
}

internal sealed class TeamConfiguration : IEntityTypeConfiguration<Team>
{
    public void Configure(EntityTypeBuilder<Team> b)
    {
        b.ToTable("Teams");
        b.Property(t => t.Id).ValueGeneratedNever();
        b.Property(t => t.Name).HasMaxLength(100);
        b.Property(t => t.DisplayName).HasMaxLength(200);
        b.HasIndex(t => t.Name).IsUnique();
    }
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> b)
    {
        b.ToTable("Notifications");
        b.Property(n => n.Id).ValueGeneratedNever();
        b.Property(n => n.Kind).HasMaxLength(40);
        b.Property(n => n.Message).HasMaxLength(2000);
        b.HasIndex(n => new { n.AgentId, n.CreatedAt });
        b.HasIndex(n => new { n.TeamId, n.CreatedAt });
    }
}

internal sealed class CredentialConfiguration : IEntityTypeConfiguration<AgentCredential>
{
    public void Configure(EntityTypeBuilder<AgentCredential> b)
    {
        b.ToTable("AgentCredentials");
        b.HasKey(c => c.AgentId);
        b.Property(c => c.PasswordHash).HasMaxLength(400);
    }
}

internal sealed class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> b)
    {
        b.ToTable("ApiTokens");
        b.Property(t => t.Id).ValueGeneratedNever();
        b.Property(t => t.TokenHash).HasMaxLength(64);
        b.Property(t => t.Name).HasMaxLength(100);
        b.HasIndex(t => t.TokenHash).IsUnique();
        b.HasIndex(t => t.AgentId);
    }
}

internal sealed class AgentSessionConfiguration : IEntityTypeConfiguration<AgentSession>
{
    public void Configure(EntityTypeBuilder<AgentSession> b)
    {
        b.ToTable("AgentSessions");
        b.Property(s => s.Id).ValueGeneratedNever();
        b.HasIndex(s => s.AgentId);
    }
}

internal sealed class AccountLinkConfiguration : IEntityTypeConfiguration<AccountLink>
{
    public void Configure(EntityTypeBuilder<AccountLink> b)
    {
        b.ToTable("AccountLinks");
        b.Property(l => l.Id).ValueGeneratedNever();
        b.Property(l => l.Purpose).HasConversion<string>().HasMaxLength(10);
        b.Property(l => l.TokenHash).HasMaxLength(64);
        b.HasIndex(l => l.TokenHash).IsUnique();
        b.HasIndex(l => l.AgentId);
        // Single use under races too: the second of two concurrent uses updates no row and fails.
        b.Property(l => l.UsedAt).IsConcurrencyToken();
    }
}

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("AuditLog");
        b.Property(e => e.Id).ValueGeneratedNever();
        b.Property(e => e.Action).HasMaxLength(60);
        b.Property(e => e.ActorEmail).HasMaxLength(254);
        b.Property(e => e.Target).HasMaxLength(300);
        b.Property(e => e.Before).HasMaxLength(-1);
        b.Property(e => e.After).HasMaxLength(-1);
        b.HasIndex(e => e.At);
        b.HasIndex(e => new { e.Action, e.At });
        b.HasIndex(e => new { e.ActorId, e.At });
    }
}

internal sealed class SignInThrottleConfiguration : IEntityTypeConfiguration<SignInThrottle>
{
    public void Configure(EntityTypeBuilder<SignInThrottle> b)
    {
        b.ToTable("SignInThrottles");
        b.HasKey(t => t.Email);
        b.Property(t => t.Email).HasMaxLength(254);
        b.HasIndex(t => t.LockedUntil);
    }
}

internal sealed class InfrastructureConfiguration : IEntityTypeConfiguration<Counter>, IEntityTypeConfiguration<Lease>, IEntityTypeConfiguration<SlaAlert>
{
    public void Configure(EntityTypeBuilder<Counter> b)
    {
        b.ToTable("Counters");
        b.HasKey(c => c.Name);
        b.Property(c => c.Name).HasMaxLength(50);
        b.HasData(new Counter { Name = Tickets.TicketNumbers.CounterName, Value = Tickets.TicketNumbers.First - 1 });
    }

    public void Configure(EntityTypeBuilder<Lease> b)
    {
        b.ToTable("Leases");
        b.HasKey(l => l.Name);
        b.Property(l => l.Name).HasMaxLength(100);
        b.Property(l => l.Holder).HasMaxLength(200);
    }

    public void Configure(EntityTypeBuilder<SlaAlert> b)
    {
        b.ToTable("SlaAlerts");
        b.Property(a => a.Id).ValueGeneratedNever();
        b.Property(a => a.Metric).HasConversion<string>().HasMaxLength(20);
        b.HasIndex(a => new { a.TicketId, a.Metric, a.Cycle, a.Percent }).IsUnique();
        b.HasIndex(a => a.FiredAt);
        b.Ignore(a => a.IsBreach);
    }
}
