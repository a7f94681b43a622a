using System.Net;
using System.Net.Http.Headers;
using HelpDesk.Application.Reporting;
using HelpDesk.Testing;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace HelpDesk.Web.Tests.Cli;

public sealed class OperatorCliTests : IDisposable
{
    private readonly TestDatabase _db = TestDatabase.Reserve("helpdesk-cli");

    private Dictionary<string, string> Env => new(_db.EnvironmentVariables);

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("--bogus")]
    [InlineData("agents", "remove")]
    public async Task Unknown_commands_and_options_exit_2_with_usage(params string[] args)
    {
        var result = await CliProcess.RunAsync(args, environment: Env);

        result.ExitCode.Should().Be(2);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Should().StartWith("helpdesk: ").And.Contain("usage: helpdesk");
    }

    [Fact]
    public async Task Help_prints_the_usage()
    {
        var result = await CliProcess.RunAsync(["help"]);
        result.ExitCode.Should().Be(0);
        result.Stdout.Should().Contain("sla simulate");
    }

    [Fact]
    public async Task Agents_add_then_tokens_create_prints_only_a_token_the_api_accepts()
    {
        (await CliProcess.RunAsync(["migrate"], environment: Env)).ExitCode.Should().Be(0);
        await using (var setup = new HelpDeskFactory(_db.Shared())) await setup.EnsureTeamAsync("support");

        var add = await CliProcess.RunAsync(["agents", "add", "--email", "Ops@Helpdesk.test", "--name", "Ops", "--role", "admin", "--team", "support", "--password", "a-long-password"], environment: Env);
        add.ExitCode.Should().Be(0, add.Stderr);
        var token = await CliProcess.RunAsync(["tokens", "create", "--email", "ops@helpdesk.test"], environment: Env);

        token.ExitCode.Should().Be(0, token.Stderr);
        token.Stdout.Should().MatchRegex("^hd_[A-Za-z0-9_-]{43}\n$");
        await using var app = new HelpDeskFactory(_db.Shared());
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Stdout.Trim());
        (await client.GetAsync("/api/v1/tickets")).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Operators_set_a_password_and_list_and_revoke_tokens()
    {
        (await CliProcess.RunAsync(["migrate"], environment: Env)).ExitCode.Should().Be(0);
        (await CliProcess.RunAsync(["agents", "add", "--email", "ops@helpdesk.test", "--name", "Ops", "--role", "admin"], environment: Env)).ExitCode.Should().Be(0);
        var token = (await CliProcess.RunAsync(["tokens", "create", "--email", "ops@helpdesk.test", "--name", "deploy"], environment: Env)).Stdout.Trim();

        var common = await CliProcess.RunAsync(["agents", "set-password", "--email", "ops@helpdesk.test"], stdin: "password123\n", environment: Env);
        common.ExitCode.Should().Be(2);
        common.Stderr.Should().Contain("password: 'password' is one of the most commonly used passwords");
        var set = await CliProcess.RunAsync(["agents", "set-password", "--email", "ops@helpdesk.test"], stdin: "an operator's passphrase\n", environment: Env);
        set.ExitCode.Should().Be(0, set.Stderr);
        var list = await CliProcess.RunAsync(["tokens", "list", "--email", "ops@helpdesk.test"], environment: Env);
        list.Stdout.Should().Contain("ops@helpdesk.test\tdeploy").And.NotContain(token);
        var id = list.Stdout.Split('\t')[0];
        (await CliProcess.RunAsync(["tokens", "revoke", id], environment: Env)).ExitCode.Should().Be(0);

        await using var app = new HelpDeskFactory(_db.Shared());
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await client.GetAsync("/api/v1/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var browser = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        (await browser.SignInAsync("ops@helpdesk.test", "an operator's passphrase")).Headers.Location!.ToString().Should().Be("/");
        (await CliProcess.RunAsync(["tokens", "list", "--all"], environment: Env)).Stdout.Should().Contain("revoked");
    }

    [Fact]
    public async Task Invalid_agent_input_exits_non_zero_with_one_clear_line()
    {
        var result = await CliProcess.RunAsync(["agents", "add", "--email", "not-an-address", "--name", "X", "--role", "boss"], environment: Env);

        result.ExitCode.Should().Be(2);
        result.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("email").And.Contain("role");
    }

    [Fact]
    public async Task Seed_demo_fills_an_empty_database_once()
    {
        var first = await CliProcess.RunAsync(["seed-demo"], environment: Env);
        var second = await CliProcess.RunAsync(["seed-demo"], environment: Env);

        first.ExitCode.Should().Be(0, first.Stderr);
        first.Stdout.Should().Contain("demo data seeded");
        second.Stdout.Should().Contain("nothing seeded");
    }

    [Fact]
    public async Task Reports_rebuild_reprojects_every_ticket_of_the_demo()
    {
        (await CliProcess.RunAsync(["seed-demo"], environment: Env)).ExitCode.Should().Be(0);
        await using (var db = _db.NewContext()) await db.Set<ReportTicket>().ExecuteDeleteAsync();

        var rebuild = await CliProcess.RunAsync(["reports", "rebuild"], environment: Env);

        rebuild.ExitCode.Should().Be(0, rebuild.Stderr);
        await using var read = _db.NewContext();
        var tickets = await read.Tickets.CountAsync();
        tickets.Should().BeGreaterThan(0);
        (await read.Set<ReportTicket>().CountAsync()).Should().Be(tickets);
        (await read.Set<ReportCycle>().CountAsync()).Should().BeGreaterThan(0);
        rebuild.Stdout.Trim().Should().Be($"reporting rows rebuilt for {tickets} tickets");
    }

    [Fact]
    public async Task Search_rebuild_fills_an_emptied_index_and_a_second_run_rewrites_nothing()
    {
        (await CliProcess.RunAsync(["seed-demo"], environment: Env)).ExitCode.Should().Be(0);
        List<Application.Search.SearchDocument> written;
        await using (var db = _db.NewContext())
        {
            written = await db.Set<Application.Search.SearchDocument>().AsNoTracking().OrderBy(d => d.Number).ToListAsync();
            await db.Set<Application.Search.SearchDocument>().ExecuteDeleteAsync();
        }

        var rebuild = await CliProcess.RunAsync(["search", "rebuild"], environment: Env);
        var again = await CliProcess.RunAsync(["search", "rebuild"], environment: Env);

        rebuild.ExitCode.Should().Be(0, rebuild.Stderr);
        await using var read = _db.NewContext();
        var tickets = await read.Tickets.CountAsync();
        written.Should().HaveCount(tickets, "the demo's tickets got their documents in their own transactions");
        (await read.Set<Application.Search.SearchDocument>().AsNoTracking().OrderBy(d => d.Number).ToListAsync()).Should().BeEquivalentTo(written);
        rebuild.Stdout.Trim().Should().Be($"search index rebuilt for {tickets} tickets ({tickets} documents rewritten)");
        again.Stdout.Trim().Should().Be($"search index rebuilt for {tickets} tickets (0 documents rewritten)");
    }

    [Fact]
    public async Task Search_rebuild_check_counts_missing_and_differing_documents_writes_nothing_and_exits_1()
    {
        (await CliProcess.RunAsync(["seed-demo"], environment: Env)).ExitCode.Should().Be(0);
        int tickets;
        await using (var db = _db.NewContext())
        {
            tickets = await db.Tickets.CountAsync();
            var numbers = await db.Set<Application.Search.SearchDocument>().OrderBy(d => d.Number).Select(d => d.Number).Take(2).ToListAsync();
            await db.Set<Application.Search.SearchDocument>().Where(d => d.Number == numbers[0]).ExecuteDeleteAsync();
            await db.Set<Application.Search.SearchDocument>().Where(d => d.Number == numbers[1]).ExecuteUpdateAsync(s => s.SetProperty(d => d.Body, "tampered"));
        }

        var check = await CliProcess.RunAsync(["search", "rebuild", "--check"], environment: Env);
        var again = await CliProcess.RunAsync(["search", "rebuild", "--check"], environment: Env);
        await CliProcess.RunAsync(["search", "rebuild"], environment: Env);
        var repaired = await CliProcess.RunAsync(["search", "rebuild", "--check"], environment: Env);

        check.ExitCode.Should().Be(1, check.Stderr);
        check.Stdout.Trim().Should().Be($"search index checked for {tickets} tickets: 1 without a document, 1 differing");
        again.Stdout.Should().Be(check.Stdout, "a check writes nothing");
        repaired.ExitCode.Should().Be(0, repaired.Stderr);
        repaired.Stdout.Trim().Should().Be($"search index checked for {tickets} tickets: 0 without a document, 0 differing");
    }

    [Fact]
    public async Task Search_rebuild_exits_non_zero_with_one_line_when_the_database_cannot_be_opened()
    {
        var env = new Dictionary<string, string>
        {
            ["HelpDesk__Database__Provider"] = "Sqlite",
            ["ConnectionStrings__HelpDesk"] = $"Data Source={Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "missing", "helpdesk.db")}",
        };

        var result = await CliProcess.RunAsync(["search", "rebuild"], environment: env);

        result.ExitCode.Should().NotBe(0);
        result.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().StartWith("helpdesk: search rebuild failed");
    }
}
