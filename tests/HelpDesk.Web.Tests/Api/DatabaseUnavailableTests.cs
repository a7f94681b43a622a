using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using HelpDesk.Testing;
using HelpDesk.Web.Tests.Infrastructure;

namespace HelpDesk.Web.Tests.Api;

/// <summary>
/// The database unavailable: SQLite locked by another process that holds an exclusive transaction (the <c>sqlite3</c>
/// shell). The API answers 503 ProblemDetails with Retry-After, never 500, and works again once the lock is gone.
/// (PostgreSQL stopped is measured by <c>bench fault-db</c>, docs/reliability.md.)
/// </summary>
public sealed class DatabaseUnavailableTests : IAsyncLifetime
{
    private readonly TestDatabase _database = TestDatabase.Create();
    private HelpDeskFactory _factory = null!;
    private HttpClient _dana = null!;

    public async Task InitializeAsync()
    {
        // SQLite waits out a lock for the command timeout (30 s by default) on each of its retries: 1 s keeps this short.
        _factory = new HelpDeskFactory(_database.Shared(), _database.Provider == "Sqlite"
            ? new Dictionary<string, string?> { ["ConnectionStrings:HelpDesk"] = _database.ConnectionString + ";Default Timeout=1" } : null);
        _dana = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
    }

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _database.DisposeAsync();
    }

    private static object NewTicket(string subject) =>
        new { subject, body = "Smoke everywhere.", requester = new { email = "maria@example.test", name = "Maria" }, team = "support" };

    [Fact]
    public async Task A_write_while_another_process_holds_the_database_locked_is_answered_503_and_succeeds_after()
    {
        if (_database.Provider != "Sqlite") return; // A lock another process holds is SQLite's form of this fault.
        using var holder = Process.Start(new ProcessStartInfo("sqlite3", [_database.FilePath!]) { RedirectStandardInput = true, RedirectStandardOutput = true })!;
        await holder.StandardInput.WriteLineAsync("BEGIN EXCLUSIVE; SELECT 'locked';");
        await holder.StandardInput.FlushAsync();
        (await holder.StandardOutput.ReadLineAsync()).Should().Be("locked");

        var refused = await _dana.PostAsJsonAsync("/api/v1/tickets", NewTicket("While locked"));

        refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        refused.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(5));
        (await refused.JsonAsync()).GetProperty("title").GetString().Should().Be("The database is unavailable");

        await holder.StandardInput.WriteLineAsync("COMMIT;");
        await holder.StandardInput.WriteLineAsync(".quit");
        holder.StandardInput.Close();
        await holder.WaitForExitAsync();

        (await _dana.PostAsJsonAsync("/api/v1/tickets", NewTicket("After the lock"))).StatusCode.Should().Be(HttpStatusCode.Created);
    }
}
