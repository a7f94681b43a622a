using FluentValidation;
using HelpDesk.Application;
using HelpDesk.Application.Agents.CreateAgent;
using HelpDesk.Application.Agents.ApiTokens;
using HelpDesk.Application.Agents.CreateApiToken;
using HelpDesk.Application.Agents.ManageAgents;
using HelpDesk.Domain.Common;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Sla.Simulation;
using HelpDesk.BulkData;
using HelpDesk.Web.Hosting;
using Mediator;
using NodaTime;

namespace HelpDesk.Web.Cli;

/// <summary>
/// The <c>helpdesk</c> command line. Operator commands run without the web host (a small service provider on the same
/// configuration), so they start fast and never open a port.
/// </summary>
public static class HelpDeskCli
{
    public const string Usage = """
        usage: helpdesk [command] [options]

          serve [--urls URL] [--Key:Sub=V]   run the help desk (the default command)
          migrate                            create or upgrade the database
          agents add --email E --name N --role agent|lead|admin [--team T]... [--password P]
          agents set-password --email E [--must-change]
                                             set an agent's password, read from the first line of stdin; their sessions end
          tokens create --email E [--name N] [--expires-at INSTANT]
                                             print a new API token for the agent (only the token)
          tokens list [--email E] [--all]    the tokens' id, owner, name, created, last used, expiry (--all: revoked too)
          tokens revoke ID                   revoke a token; it stops working at once
          seed-demo                          add the demo teams, agents, SLA policies and tickets
          seed-bulk --tickets N [--days D] [--seed S]
                                             add a realistic history of N tickets over the last D days (teams, agents,
                                             customers, replies, pauses, breaches) for trying and measuring reports
          sla simulate FILE|-                run the SLA engine on a scenario (JSON), print the clocks
          mailgate [--mailbox NAME]          store and process one e-mail from stdin (for an MTA pipe); prints one JSON line;
                                             exit 0 stored, 75 store unavailable (retry), 65 not mail
          mail reprocess ID|--all            process quarantined (or unfinished) inbound mail again from its raw bytes
          reports rebuild                    re-project every ticket's reporting rows from its SLA ledger
          search rebuild [--check]           re-derive every ticket's search document and the full-text index; --check
                                             writes nothing, prints the tickets without a document and those that differ
                                             (exit 1 when any)
          help                               this text

        Configuration: appsettings.json and environment variables, e.g.
          ConnectionStrings__HelpDesk, HelpDesk__Database__Provider (Sqlite|SqlServer)
        """;

    // Options the ASP.NET Core host itself understands; WebApplicationFactory passes some of them.
    private static readonly HashSet<string> HostOptions = ["urls", "contentRoot", "environment", "applicationName"];

    public static async Task<int> RunAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            var command = args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) ? "serve" : args[0];
            var rest = args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) ? args : args[1..];
            switch (command)
            {
                case "serve":
                    CliArgs.Parse(rest, HostOptions, configOverrides: true);
                    await HelpDeskWebApp.Build(rest).RunAsync();
                    return 0;
                case "help" or "-h":
                    await stdout.WriteLineAsync(Usage);
                    return 0;
                case "migrate":
                    CliArgs.Parse(rest, new HashSet<string>()).RequireNoWords();
                    await using (var services = CliServices.Build())
                    await using (var scope = services.CreateAsyncScope())
                        await DatabaseSetup.MigrateAsync(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>());
                    await stdout.WriteLineAsync("database is up to date");
                    return 0;
                case "seed-demo":
                    CliArgs.Parse(rest, new HashSet<string>()).RequireNoWords();
                    await using (var services = await CliServices.BuildMigratedAsync())
                    {
                        var seeded = await DemoData.SeedAsync(services, CancellationToken.None);
                        await stdout.WriteLineAsync(seeded ? $"demo data seeded; sign in as {DemoData.AdminEmail}" : "the database already has agents; nothing seeded");
                    }
                    return 0;
                case "seed-bulk":
                    return await SeedBulkCli.RunAsync(rest, stdout, stderr);
                case "agents":
                    return await AgentsAsync(rest, stdin, stdout);
                case "reports":
                    return await ReportsAsync(rest, stdout, stderr);
                case "search":
                    return await SearchAsync(rest, stdout, stderr);
                case "tokens":
                    return await TokensAsync(rest, stdout);
                case "sla":
                    return await SlaAsync(rest, stdin, stdout, stderr);
                case "mailgate":
                    return await MailCli.MailgateAsync(rest, ReferenceEquals(stdin, Console.In)
                        ? Console.OpenStandardInput() : new MemoryStream(System.Text.Encoding.UTF8.GetBytes(await stdin.ReadToEndAsync())), stdout, stderr);
                case "mail":
                    return await MailCli.MailAsync(rest, stdout);
                default:
                    throw new CliUsageException($"unknown command '{command}'");
            }
        }
        catch (CliUsageException ex)
        {
            await stderr.WriteLineAsync($"helpdesk: {ex.Message}");
            await stderr.WriteLineAsync(Usage);
            return 2;
        }
        catch (ValidationException ex)
        {
            await stderr.WriteLineAsync($"helpdesk: {string.Join("; ", ex.Errors.Select(e => $"{ProblemMapping.CamelCase(e.PropertyName)}: {e.ErrorMessage}"))}");
            return 2;
        }
        catch (Exception ex) when (ex is Domain.Common.DomainRuleViolation or NotFoundException or ForbiddenException)
        {
            await stderr.WriteLineAsync($"helpdesk: {ex.Message}");
            return 1;
        }
    }

    private static void RequireNoWords(this CliArgs args)
    {
        if (args.Words.Count > 0) throw new CliUsageException($"unexpected argument '{args.Words[0]}'");
    }

    private static async Task<int> ReportsAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] != "rebuild") throw new CliUsageException("expected 'reports rebuild'");
        CliArgs.Parse(args[1..], new HashSet<string>()).RequireNoWords();
        await using var services = await CliServices.BuildMigratedAsync();
        await using var scope = services.CreateAsyncScope();
        var projected = await scope.ServiceProvider.GetRequiredService<Application.Reporting.Projection.ReportRebuild>().RunAsync(
            (done, total) => stderr.WriteLine($"reports rebuild: {done}/{total} tickets"), CancellationToken.None);
        await stdout.WriteLineAsync($"reporting rows rebuilt for {projected} tickets");
        return 0;
    }

    private static async Task<int> SearchAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] != "rebuild") throw new CliUsageException("expected 'search rebuild [--check]'");
        var a = CliArgs.Parse(args[1..], new HashSet<string> { "check" }, flags: new HashSet<string> { "check" });
        a.RequireNoWords();
        var check = a.Option("check") is not null;
        try
        {
            await using var services = await CliServices.BuildMigratedAsync();
            await using var scope = services.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<Application.Search.SearchRebuild>().RunAsync(
                check ? Application.Search.SearchRebuildMode.Check : Application.Search.SearchRebuildMode.Rebuild,
                (done, total) => stderr.WriteLine($"search rebuild: {done}/{total} tickets"), CancellationToken.None);
            if (check)
            {
                await stdout.WriteLineAsync($"search index checked for {result.Documents} tickets: {result.Missing} without a document, {result.Differing} differing");
                return result.Rewritten == 0 ? 0 : 1;
            }
            await stdout.WriteLineAsync($"search index rebuilt for {result.Documents} tickets ({result.Rewritten} documents rewritten)");
            return 0;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or Microsoft.EntityFrameworkCore.DbUpdateException)
        {
            await stderr.WriteLineAsync($"helpdesk: search rebuild failed: {ex.GetBaseException().Message.Split('\n')[0]}");
            return 1;
        }
    }

    private static async Task<int> AgentsAsync(string[] args, TextReader stdin, TextWriter stdout)
    {
        if (args.Length > 0 && args[0] == "set-password")
        {
            var p = CliArgs.Parse(args[1..], new HashSet<string> { "email", "must-change" }, flags: new HashSet<string> { "must-change" });
            p.RequireNoWords();
            var email = p.Required("email");
            // From stdin, not an argument: arguments end up in shell history and process listings.
            var password = (await stdin.ReadLineAsync())?.TrimEnd('\r') ?? "";
            await using var provider = await CliServices.BuildMigratedAsync();
            await using var passwordScope = provider.CreateAsyncScope();
            var changed = await passwordScope.ServiceProvider.GetRequiredService<IMediator>().Send(new SetAgentPassword(email, password, p.Option("must-change") is not null));
            await stdout.WriteLineAsync($"password of {EmailAddress.Normalise(email)} set; {changed.SessionsEnded} session(s) ended");
            return 0;
        }
        if (args.Length == 0 || args[0] != "add") throw new CliUsageException("expected 'agents add' or 'agents set-password'");
        var a = CliArgs.Parse(args[1..], new HashSet<string> { "email", "name", "role", "team", "password" });
        a.RequireNoWords();
        await using var services = await CliServices.BuildMigratedAsync();
        await using var scope = services.CreateAsyncScope();
        var agent = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(
            new CreateAgent(a.Required("email"), a.Required("name"), a.Required("role"), a.Options("team"), a.Option("password"), MustChangePassword: true));
        await stdout.WriteLineAsync($"agent {agent.Email} ({agent.Role}) created in {(agent.Teams.Count == 0 ? "no team" : string.Join(", ", agent.Teams))}");
        return 0;
    }

    private static async Task<int> TokensAsync(string[] args, TextWriter stdout)
    {
        var verb = args.Length == 0 ? "" : args[0];
        if (verb is not ("create" or "list" or "revoke")) throw new CliUsageException("expected 'tokens create', 'tokens list' or 'tokens revoke ID'");
        var a = CliArgs.Parse(args[1..], new HashSet<string> { "email", "name", "expires-at", "all" }, flags: new HashSet<string> { "all" });
        await using var services = await CliServices.BuildMigratedAsync();
        await using var scope = services.CreateAsyncScope();
        var mediator = scope.ServiceProvider.GetRequiredService<IMediator>();
        switch (verb)
        {
            case "create":
                a.RequireNoWords();
                Instant? expiresAt = null;
                if (a.Option("expires-at") is { } text)
                    expiresAt = NodaTime.Text.InstantPattern.ExtendedIso.Parse(text) is { Success: true } parsed ? parsed.Value
                        : throw new CliUsageException("--expires-at must be an ISO instant (2026-12-31T00:00:00Z)");
                var token = await mediator.Send(new CreateApiToken(a.Required("email"), a.Option("name"), expiresAt));
                await stdout.WriteLineAsync(token.Token);
                return 0;
            case "list":
                a.RequireNoWords();
                var pattern = NodaTime.Text.InstantPattern.General;
                string Show(Instant? i) => i is { } v ? pattern.Format(v) : "-";
                foreach (var t in await mediator.Send(new ListApiTokens(a.Option("email"), a.Option("all") is not null)))
                    await stdout.WriteLineAsync($"{t.Id}\t{t.Owner}\t{t.Name}\tcreated {Show(t.CreatedAt)}\tlast used {Show(t.LastUsedAt)}\texpires {Show(t.ExpiresAt)}{(t.RevokedAt is { } r ? $"\trevoked {Show(r)}" : "")}");
                return 0;
            default:
                if (a.Words.Count != 1 || !Guid.TryParse(a.Words[0], out var id)) throw new CliUsageException("tokens revoke takes one token ID (from 'tokens list')");
                var revoked = await mediator.Send(new RevokeApiToken(id));
                await stdout.WriteLineAsync($"token {revoked.Id} ({revoked.Owner}, {revoked.Name}) revoked");
                return 0;
        }
    }

    private static async Task<int> SlaAsync(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length == 0 || args[0] != "simulate") throw new CliUsageException("expected 'sla simulate FILE|-'");
        var a = CliArgs.Parse(args[1..], new HashSet<string>());
        if (a.Words.Count != 1) throw new CliUsageException("sla simulate takes one FILE (or - for standard input)");
        string input;
        if (a.Words[0] == "-") input = await stdin.ReadToEndAsync();
        else
        {
            try { input = await File.ReadAllTextAsync(a.Words[0]); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"helpdesk: cannot read {a.Words[0]}: {ex.Message}");
                return 2;
            }
        }
        return SlaSimulator.Run(input, stdout, stderr);
    }
}

/// <summary>The services an operator command needs: configuration, database, mediator; no web host.</summary>
public static class CliServices
{
    /// <param name="extra">More services for one command (e.g. the mail pipeline for the mailgate).</param>
    public static ServiceProvider Build(Action<IServiceCollection, IConfiguration>? extra = null)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        // Warnings to stderr; EF Core's own failure logs stay out: a command reports its error itself, in one line.
        services.AddLogging(l => l.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.None));
        services.AddSingleton<IClock>(SystemClock.Instance);
        services.AddHelpDeskDatabase(configuration);
        services.AddHelpDeskApplication();
        services.AddHelpDeskBulkData();
        services.AddScoped<ICurrentAgent, SystemCaller>();
        extra?.Invoke(services, configuration);
        return services.BuildServiceProvider();
    }

    public static async Task<ServiceProvider> BuildMigratedAsync()
    {
        var services = Build();
        await using var scope = services.CreateAsyncScope();
        await DatabaseSetup.MigrateAsync(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>());
        return services;
    }
}
