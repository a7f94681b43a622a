using HelpDesk.Application.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace HelpDesk.Migrations.Sqlite;

/// <summary>Lets dotnet-ef build the model for SQLite without starting the app.</summary>
public sealed class DesignTimeFactory : IDesignTimeDbContextFactory<HelpDeskDbContext>
{
    public HelpDeskDbContext CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<HelpDeskDbContext>()
        .UseSqlite("Data Source=design-time.db", SqliteRetryingExecutionStrategy.Configure)
        .Options);
}
