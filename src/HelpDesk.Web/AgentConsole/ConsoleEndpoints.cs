using HelpDesk.Application.AgentConsole;
using HelpDesk.Application.AgentConsole.GetConsoleEvents;
using HelpDesk.Application.Auth;
using HelpDesk.Application.AgentConsole.GetCountdowns;
using HelpDesk.Application.Common;
using HelpDesk.Application.Reporting.GetConsoleTiles;
using HelpDesk.Application.Notifications;
using HelpDesk.Web.Hosting;
using Mediator;

namespace HelpDesk.Web.AgentConsole;

/// <summary>The console: its page, hub, replay and countdown APIs, and its services.</summary>
public static class ConsoleEndpoints
{
    /// <summary>Configuration key of the Redis connection string for the SignalR backplane (several app nodes).</summary>
    public const string RedisKey = "HelpDesk:Redis";

    public static IServiceCollection AddAgentConsole(this IServiceCollection services, IConfiguration configuration)
    {
        var signalR = services.AddSignalR().AddJsonProtocol(o => HelpDeskWebApp.ConfigureJson(o.PayloadSerializerOptions));
        // Several nodes: hub groups span them through Redis pub/sub, so a change on one node is pushed to consoles
        // connected to any node. Without it pushes reach this node's consoles; the others catch up by replay.
        if (configuration[RedisKey] is { Length: > 0 } redis)
            signalR.AddStackExchangeRedis(redis, o => o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("helpdesk"));
        services.AddScoped<ConsoleStreams>();
        services.AddScoped<ConsolePresenceStore>();
        services.AddSingleton<ConsoleNode>();
        services.AddSingleton<ConsoleBroadcaster>();
        services.AddSingleton<ITicketEventSubscriber>(sp => sp.GetRequiredService<ConsoleBroadcaster>());
        services.AddSingleton<INotificationSubscriber>(sp => sp.GetRequiredService<ConsoleBroadcaster>());
        services.AddHostedService<PresenceSweeper>();
        services.AddHostedService<ConsoleEventSweeper>();
        services.AddSingleton<ConsoleConnections>();
        services.AddSingleton<IOpenConnections>(sp => sp.GetRequiredService<ConsoleConnections>());
        services.AddHostedService<ConnectionCredentialSweeper>();
        return services;
    }

    public static WebApplication MapAgentConsole(this WebApplication app)
    {
        app.UseStaticFiles();
        app.MapGet("/", (HttpContext http, IWebHostEnvironment env) => http.User.Identity?.IsAuthenticated == true
            ? Results.File(env.WebRootFileProvider.GetFileInfo("console/index.html").CreateReadStream(), "text/html; charset=utf-8")
            : Results.Redirect("/login")).ExcludeFromDescription();
        app.UseHubOriginCheck(app.Configuration);
        app.MapHub<ConsoleHub>(ConsoleHub.Path);

        var api = app.MapGroup("/api/v1/console").RequireAuthorization().WithTags("Console");
        api.MapGet("/events", async (string stream, long? after, int? limit, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetConsoleEvents(stream, after ?? 0, limit ?? 500), ct)))
            .WithSummary("Events of a stream (team:NAME or agent:EMAIL) after a sequence number: what a reconnecting console missed")
            .Produces<ConsoleEventPage>();
        api.MapGet("/countdowns", async (int[]? number, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetCountdowns(number ?? []), ct)))
            .WithSummary("Per ticket: the SLA clock nearest to breaching, business time left and the calendar's upcoming working windows")
            .Produces<CountdownPage>();
        api.MapGet("/tiles", async (string? timeZone, IMediator m, CancellationToken ct) =>
            Results.Ok(await m.Send(new GetConsoleTiles(timeZone), ct)))
            .WithSummary("Metric tiles for your teams: FRT, resolution time (mean, median), FCR; today and last 7 days")
            .Produces<ConsoleTiles>();
        api.MapGet("/presence/{number:int}", async (int number, IMediator m, ConsolePresenceStore store, CancellationToken ct) =>
        {
            await m.Send(new Application.Tickets.GetTicket.GetTicket(number), ct); // 404 unless the caller may see the ticket
            return Results.Ok(await store.OnTicketAsync(number, ct));
        }).WithSummary("Who views and who types on a ticket now").Produces<IReadOnlyList<PresenceDto>>();
        return app;
    }
}
