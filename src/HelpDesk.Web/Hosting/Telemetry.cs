using HelpDesk.Application.Telemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace HelpDesk.Web.Hosting;

/// <summary>
/// OpenTelemetry metrics: the meter <c>HelpDesk</c> (and ASP.NET Core's), exported over OTLP only when
/// <c>HelpDesk:Telemetry:OtlpEndpoint</c> is set; by default nothing leaves the process.
/// </summary>
public static class Telemetry
{
    public static IServiceCollection AddHelpDeskTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var endpoint = configuration["HelpDesk:Telemetry:OtlpEndpoint"];
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["HelpDesk:Telemetry:ServiceName"] is { Length: > 0 } name ? name : "helpdesk"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(HelpDeskTelemetry.MeterName, "Microsoft.AspNetCore.Hosting");
                if (!string.IsNullOrWhiteSpace(endpoint))
                    metrics.AddOtlpExporter(o => o.Endpoint = new Uri(endpoint));
            });
        return services;
    }

    /// <summary>Creates the instruments at start, so the backlog gauge is observable before the first ticket changes.</summary>
    public static void StartHelpDeskTelemetry(this WebApplication app) => app.Services.GetRequiredService<HelpDeskTelemetry>();
}
