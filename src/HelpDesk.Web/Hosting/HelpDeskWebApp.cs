using System.Text.Json;
using System.Text.Json.Serialization;
using HelpDesk.Application;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Search;
using HelpDesk.Application.Surveys;
using HelpDesk.Web.AgentConsole;
using HelpDesk.Mail;
using HelpDesk.Web.Auth;
using HelpDesk.Web.Endpoints;
using Microsoft.EntityFrameworkCore;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Scalar.AspNetCore;

namespace HelpDesk.Web.Hosting;

/// <summary>Composes and configures the web host: the API, auth, background services and first-start setup.</summary>
public static class HelpDeskWebApp
{
    public static WebApplication Build(string[] args)
    {
        // A published build keeps wwwroot and appsettings.json beside helpdesk.dll. Started from another directory (a
        // service manager without a working directory, an MTA pipe) it must still find them, as the CLI does; a build
        // run from the source tree (no wwwroot beside the dll) keeps the usual content root.
        var published = Directory.Exists(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = published ? AppContext.BaseDirectory : null });
        builder.Services.AddSingleton<IClock>(SystemClock.Instance);
        builder.Services.AddHelpDeskDatabase(builder.Configuration);
        builder.Services.AddHelpDeskApplication();
        // A survey window of zero would make every solve fail; refuse such a configuration when the host starts.
        builder.Services.AddOptions<SurveyOptions>().Bind(builder.Configuration.GetSection(SurveyOptions.Section))
            .Validate(o => o.ValidityDays is > 0 and <= 3650, "HelpDesk:Surveys:ValidityDays must be more than 0 and at most 3650.").ValidateOnStart();
        builder.Services.AddOptions<LeaseOptions>().Bind(builder.Configuration.GetSection(LeaseOptions.Section))
            .Validate(o => o.Problem() is null, "HelpDesk:Leases: every value must be between 0.1 and 3600 seconds.").ValidateOnStart();
        builder.Services.AddOptions<SearchOptions>().Bind(builder.Configuration.GetSection(SearchOptions.Section))
            .Validate(o => o.Problem() is null, "HelpDesk:Search:RankedWindow must be between 1 and 100000.").ValidateOnStart();
        builder.Services.AddHelpDeskDataProtection(builder.Configuration);
        builder.Services.AddScoped<SettingsHealth>();
        builder.Services.AddHelpDeskAuth();
        builder.Services.AddSignInLimits(builder.Configuration);
        builder.Services.AddReverseProxy(builder.Configuration);
        builder.Services.AddLogRedaction();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<CspReports>();
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        builder.Services.AddOpenApi();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database").AddCheck<SearchIndexHealthCheck>("search-index");
        builder.Services.AddHostedService<FirstStart>();
        // After FirstStart (hosted services start in order): the backfill reads the migrated schema.
        builder.Services.AddSingleton<SearchIndexStatus>();
        builder.Services.AddHostedService<SearchBackfill>();
        builder.Services.AddHostedService<IdempotencySweeper>();
        builder.Services.AddHostedService<AuthRetentionSweeper>();
        builder.Services.AddOptions<Application.Audit.AuditOptions>().Bind(builder.Configuration.GetSection(Application.Audit.AuditOptions.Section))
            .Validate(o => o.RetentionDays is >= 1 and <= 36500, "HelpDesk:Audit:RetentionDays must be between 1 and 36500.").ValidateOnStart();
        builder.Services.AddHostedService<AuditLogSweeper>();
        builder.Services.AddSlaDueQueueService();
        builder.Services.AddAgentConsole(builder.Configuration);
        builder.Services.AddHelpDeskMail(builder.Configuration);
        builder.Services.AddHelpDeskTelemetry(builder.Configuration);

        var app = builder.Build();
        app.StartHelpDeskTelemetry();
        app.Lifetime.ApplicationStarted.Register(() => AnnounceAddresses(app));
        app.UseReverseProxy();
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseForcedPasswordChange();
        app.UseSignInLimits();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseCookieAntiforgeryForApi();

        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapCspReports();
        app.MapOpenApi().AllowAnonymous();
        // Served from the package, and without its default web fonts: nothing may load from outside the machine.
        app.MapScalarApiReference("/docs", o => o.WithTitle("HelpDesk API").DisableDefaultFonts()).AllowAnonymous();
        app.MapAuthEndpoints();
        app.MapAgentConsole();
        app.MapMailgateHandoff();
        app.MapSurveyEndpoints();
        var api = app.MapGroup("/api/v1").RequireAuthorization();
        api.MapTicketEndpoints();
        api.MapMacroEndpoints();
        api.MapSearchEndpoints();
        api.MapConfigurationEndpoints();
        api.MapAccountEndpoints();
        api.MapEscalationEndpoints();
        api.MapMailEndpoints();
        api.MapMailboxEndpoints();
        api.MapAdminHealthEndpoints();
        api.MapSurveySettingsEndpoints();
        api.MapMetricsEndpoints();
        api.MapBreachEndpoints();
        api.MapVocabularyEndpoints();
        return app;
    }

    /// <summary>Tells whoever started the app where to point a browser.</summary>
    private static void AnnounceAddresses(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
            app.Logger.LogInformation("HelpDesk is running: console {Address}/ · API reference {Address}/docs · health {Address}/health",
                address.TrimEnd('/'), address.TrimEnd('/'), address.TrimEnd('/'));
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
    }
}
