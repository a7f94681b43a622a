using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Escalation;
using HelpDesk.Domain.Notifications;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Surveys;
using HelpDesk.Domain.Teams;
using HelpDesk.Domain.Tickets;
using HelpDesk.Application.Persistence.Configurations;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Persistence;

/// <summary>The help desk's unit of work. Handlers use it directly (no repositories); one SaveChanges per command.</summary>
public class HelpDeskDbContext(DbContextOptions<HelpDeskDbContext> options) : DbContext(options)
{
    public DbSet<Ticket> Tickets => Set<Ticket>();
    public DbSet<Article> Articles => Set<Article>();
    public DbSet<TicketChange> TicketChanges => Set<TicketChange>();
    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<Agent> Agents => Set<Agent>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<SlaPolicyVersion> SlaPolicyVersions => Set<SlaPolicyVersion>();
    public DbSet<BusinessCalendarVersion> CalendarVersions => Set<BusinessCalendarVersion>();
    public DbSet<SlaAlert> SlaAlerts => Set<SlaAlert>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<AgentCredential> AgentCredentials => Set<AgentCredential>();
    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();
    public DbSet<SignInThrottle> SignInThrottles => Set<SignInThrottle>();
    public DbSet<AgentSession> AgentSessions => Set<AgentSession>();
    public DbSet<AccountLink> AccountLinks => Set<AccountLink>();
    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();
    public DbSet<Counter> Counters => Set<Counter>();
    public DbSet<Lease> Leases => Set<Lease>();
    public DbSet<EscalationRule> EscalationRules => Set<EscalationRule>();
    public DbSet<EscalationFiring> EscalationFirings => Set<EscalationFiring>();
    public DbSet<Survey> Surveys => Set<Survey>();
    public DbSet<Tickets.Views.SavedView> SavedViews => Set<Tickets.Views.SavedView>();
    public DbSet<Domain.Macros.Macro> Macros => Set<Domain.Macros.Macro>();
    public DbSet<Domain.Macros.MacroUse> MacroUses => Set<Domain.Macros.MacroUse>();

    // Stopped SLA cycles reach the meters only when their change is committed (docs/reporting.md "Meters"); search
    // documents are written in the save that changes what they are derived from (docs/search.md); so are audit rows
    // (docs/security.md "Audit log").
    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) =>
        optionsBuilder.AddInterceptors(Telemetry.CycleStopsInterceptor.Instance, Search.SearchIndexing.Instance, Audit.AuditTrail.Instance);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<Instant>().HaveConversion<InstantConverter>();
        configurationBuilder.Properties<Instant?>().HaveConversion<NullableInstantConverter>();
        configurationBuilder.Properties<string>().HaveMaxLength(400);
    }

    /// <summary>The provider's variants of the SQL that differs per provider.</summary>
    public ProviderSql Sql => ProviderSql.For(Database.ProviderName);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        // The ticket configuration takes the provider's SQL, so it is applied by hand.
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(HelpDeskDbContext).Assembly, t => t != typeof(TicketConfiguration));
        modelBuilder.ApplyConfiguration(new TicketConfiguration(Sql));
    }

    private sealed class InstantConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<Instant, DateTime>(
        Converters.Instant.ConvertToProviderExpression, Converters.Instant.ConvertFromProviderExpression);

    private sealed class NullableInstantConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<Instant?, DateTime?>(
        Converters.NullableInstant.ConvertToProviderExpression, Converters.NullableInstant.ConvertFromProviderExpression);
}
