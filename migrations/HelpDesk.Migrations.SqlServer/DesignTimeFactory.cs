using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace HelpDesk.Migrations.SqlServer;

/// <summary>Lets dotnet-ef build the model for SQL Server without a server (scripts are generated offline).</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<HelpDeskDbContext>
{
    public HelpDeskDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<HelpDeskDbContext>()
        .UseSqlServer("Server=localhost;Database=HelpDesk;Trusted_Connection=True;TrustServerCertificate=True",
            o => o.MigrationsAssembly(typeof(DesignTimeFactory).Assembly.GetName().Name))
        .Options);
}
