using System.Text.Json;
using System.Text.Json.Serialization;
using HelpDesk.Application;
using HelpDesk.Application.Persistence;
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
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddSingleton<IClock>(SystemClock.Instance);
        builder.Services.AddHelpDeskDatabase(builder.Configuration);
        builder.Services.AddHelpDeskApplication();
        builder.Services.AddHelpDeskAuth();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProblemMapping>();
        builder.Services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
        builder.Services.AddOpenApi();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        builder.Services.AddHostedService<FirstStart>();
        builder.Services.AddSlaDueQueueService();
        builder.Services.AddHelpDeskMail(builder.Configuration);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.UseCookieAntiforgeryForApi();

        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", o => o.WithTitle("HelpDesk API")).AllowAnonymous();
        app.MapAuthEndpoints();
        app.MapGet("/", (HttpContext http) => http.User.Identity?.IsAuthenticated == true
            ? Results.Content(LandingPage(http.User.Identity.Name ?? ""), "text/html; charset=utf-8")
            : Results.Redirect("/login")).ExcludeFromDescription();
        app.MapMailgateHandoff();
        var api = app.MapGroup("/api/v1").RequireAuthorization();
        api.MapTicketEndpoints();
        api.MapConfigurationEndpoints();
        api.MapEscalationEndpoints();
        api.MapMailEndpoints();
        return app;
    }

    public static void ConfigureJson(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
    }

    private static string LandingPage(string name) => $"""
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>HelpDesk</title></head>
        <body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto">
        <h1>HelpDesk</h1><p>Signed in as {System.Net.WebUtility.HtmlEncode(name)}.</p>
        <ul><li><a href="/docs">API reference</a> (<a href="/openapi/v1.json">OpenAPI</a>)</li><li><a href="/health">Health</a></li></ul>
        <form method="post" action="/logout"><button>Sign out</button></form></body></html>
        """;
}
