using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.BulkData;

public static class BulkDataRegistration
{
    /// <summary>The bulk seeder, for the tools that offer it (<c>helpdesk seed-bulk</c>, the reporting bench). Needs the application's services.</summary>
    public static IServiceCollection AddHelpDeskBulkData(this IServiceCollection services) => services.AddScoped<BulkSeeder>();
}
