using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace HelpDesk.Migrations.PostgreSql;

/// <summary>Lets dotnet-ef build the model for PostgreSQL without a server (migrations are generated offline).</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<HelpDeskDbContext>
{
    public HelpDeskDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<HelpDeskDbContext>()
        .UseNpgsql("Host=localhost;Database=helpdesk",
            o => o.MigrationsAssembly(typeof(DesignTimeFactory).Assembly.GetName().Name))
        .Options);
}
