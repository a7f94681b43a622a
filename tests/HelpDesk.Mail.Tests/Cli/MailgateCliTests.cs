using System.Text.Json;
using HelpDesk.Mail.Tests.Infrastructure;

namespace HelpDesk.Mail.Tests.Cli;

/// <summary><c>helpdesk mailgate</c> as an MTA runs it: a separate process, the message on stdin, one JSON line out.</summary>
public sealed class MailgateCliTests(DeskFixture fixture) : IClassFixture<DeskFixture>
{
    private readonly MailDeskFactory _desk = fixture.Desk;

    /// <param name="connectionString">A SQLite store instead of the desk's database.</param>
    private Task<(int Exit, string Stdout, string Stderr)> MailgateAsync(string stdin, string? connectionString = null) =>
        DotnetProcess.RunAsync("helpdesk.dll", ["mailgate"], stdin, new Dictionary<string, string?>(connectionString is null
            ? _desk.Database.EnvironmentVariables.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value))
            : [KeyValuePair.Create("ConnectionStrings__HelpDesk", (string?)connectionString)])
        {
            ["HelpDesk__Mail__SystemAddress"] = MailDeskFactory.SystemAddress,
        });

    [Fact]
    public async Task A_piped_message_is_stored_and_reported_as_one_json_line()
    {
        var raw = Mime.Message(from: "piped@example.test", subject: "Via the MTA");
        var (exit, stdout, _) = await MailgateAsync(raw);
        exit.Should().Be(0);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle();
        var json = JsonDocument.Parse(lines[0]).RootElement;
        json.GetProperty("outcome").GetString().Should().Be("created");
        json.GetProperty("ticket").GetInt32().Should().BeGreaterThan(10000);
        json.GetProperty("article").GetString().Should().NotBeNullOrEmpty();

        var again = await MailgateAsync(raw);
        again.Exit.Should().Be(0);
        JsonDocument.Parse(again.Stdout).RootElement.GetProperty("outcome").GetString().Should().Be("duplicate");
    }

    [Fact]
    public async Task Input_that_is_not_mail_exits_65()
    {
        var (exit, stdout, _) = await MailgateAsync("\u0000\u0001 this is not a message");
        exit.Should().Be(65);
        stdout.Should().BeEmpty();
    }

    [Fact]
    public async Task An_unavailable_store_exits_75_so_the_MTA_retries()
    {
        var (exit, _, stderr) = await MailgateAsync(Mime.Message(), $"Data Source={Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "x.db")}");
        exit.Should().Be(75);
        stderr.Trim().Should().StartWith("helpdesk mailgate: store unavailable:").And.NotContain("\n", "one clear line, no library logs");
    }
}
