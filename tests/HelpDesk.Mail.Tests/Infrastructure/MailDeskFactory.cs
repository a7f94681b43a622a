using System.Net.Http.Headers;
using HelpDesk.Application.Agents.CreateAgent;
using HelpDesk.Application.Agents.CreateApiToken;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Teams.CreateTeam;
using HelpDesk.Mail.Inbound;
using HelpDesk.Testing;
using Mediator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HelpDesk.Mail.Tests.Infrastructure;

/// <summary>
/// The real host on a fresh database of the run's provider (<see cref="TestDatabase"/>) with the real clock (mail servers and back-off run in real time), configured
/// by <paramref name="settings"/> (HelpDesk:Mail:...). Without IMAP/SMTP settings no mail leaves or arrives by itself.
/// </summary>
public sealed class MailDeskFactory(IDictionary<string, string?>? settings = null, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{

    public const string SystemAddress = "support@helpdesk.test";

    public TestDatabase Database { get; } = TestDatabase.Create("helpdesk-mail");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in Database.Settings) builder.UseSetting(key, value);
        builder.UseSetting("HelpDesk:SeedDemo", "false");
        builder.UseSetting("HelpDesk:Mail:SystemAddress", SystemAddress);
        builder.UseSetting("HelpDesk:Mail:RetryBaseSeconds", "0.2");
        builder.UseSetting("HelpDesk:Mail:RetryMaxSeconds", "1");
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) builder.UseSetting(k, v);
        builder.UseEnvironment("Testing");
        builder.ConfigureServices(TestDatabase.AddRegisteredInterceptors);
        if (services is not null) builder.ConfigureServices(services);
    }

    public async Task<T> SendAsync<T>(IRequest<T> request)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(request);
    }

    public async Task<T> SendAsync<T>(ICommand<T> command)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(command);
    }

    public async Task<T> SendAsync<T>(IQuery<T> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IMediator>().Send(query);
    }

    public async Task<T> DbAsync<T>(Func<HelpDeskDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>());
    }

    /// <summary>Runs one message through the same pipeline as the mailgate.</summary>
    public async Task<MailOutcome> IngestAsync(byte[] raw, string mailbox = MailIngestor.MailgateMailbox)
    {
        await using var scope = Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MailIngestor>().IngestAsync(mailbox, raw, "test", CancellationToken.None);
    }

    public Task<MailOutcome> IngestAsync(string raw, string mailbox = MailIngestor.MailgateMailbox) =>
        IngestAsync(System.Text.Encoding.UTF8.GetBytes(raw.ReplaceLineEndings("\r\n")), mailbox);

    /// <summary>Serves on a loopback port over real HTTP (the mailgate hand-off takes loopback callers only) with the support team; returns the address.</summary>
    public async Task<string> StartOnLoopbackAsync()
    {
        UseKestrel(0);
        StartServer();
        await EnsureTeamAsync("support");
        return Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!.Addresses.First();
    }

    public async Task EnsureTeamAsync(string name)
    {
        try { await SendAsync(new CreateTeam(name, name)); }
        catch (Domain.Common.DomainRuleViolation e) when (e.Code == "team.exists") { }
    }

    public async Task<HttpClient> AgentClientAsync(string email, string role = "agent", params string[] teams)
    {
        foreach (var team in teams) await EnsureTeamAsync(team);
        await SendAsync(new CreateAgent(email, email.Split('@')[0], role, teams, "correct-horse-battery"));
        var token = await SendAsync(new CreateApiToken(email, "test"));
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        Database.Dispose();
    }
}

/// <summary>
/// Finds the shared corpora beside the checkout (<c>../shared/corpus</c> relative to the repository root) and the
/// project's own sample messages (<c>tests/HelpDesk.Mail.Tests/Samples</c>).
/// </summary>
public static class Corpus
{
    public static string Root
    {
        get
        {
            var corpus = Path.Combine(Directory.GetParent(RepositoryRoot)!.FullName, "shared", "corpus");
            if (!Directory.Exists(corpus)) throw new DirectoryNotFoundException($"the shared corpus is missing: {corpus}");
            return corpus;
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HelpDesk.sln"))) dir = dir.Parent;
            if (dir?.Parent is null) throw new DirectoryNotFoundException("repository root (HelpDesk.sln) not found above " + AppContext.BaseDirectory);
            return dir.FullName;
        }
    }

    /// <summary>A sample message of ours: <c>tests/HelpDesk.Mail.Tests/Samples/{relative}</c>.</summary>
    public static string SamplePath(string relative) => Path.Combine(RepositoryRoot, "tests", "HelpDesk.Mail.Tests", "Samples", relative);

    public static IEnumerable<object[]> Files(string folder) =>
        Directory.GetFiles(Path.Combine(Root, folder)).Where(f => !Path.GetFileName(f).StartsWith("LICENSE", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetRelativePath(Root, f) });

    public static string PathOf(string relative) => Path.Combine(Root, relative);
}

/// <summary>One desk (host + database with a support team) shared by the tests of a class; tests use their own tickets and addresses.</summary>
public sealed class DeskFixture : IAsyncLifetime
{
    public DeskFixture() : this(null) { }

    /// <summary>A desk whose host gets <paramref name="services"/> too (a test class that owns its desk).</summary>
    internal DeskFixture(Action<IServiceCollection>? services) => Desk = new MailDeskFactory(services: services);

    public MailDeskFactory Desk { get; }

    public async Task InitializeAsync()
    {
        _ = Desk.Services;
        await Desk.EnsureTeamAsync("support");
    }

    public Task DisposeAsync()
    {
        Desk.Dispose();
        return Task.CompletedTask;
    }
}
