using System.Text.Json;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Mail.Tests.Cli;

/// <summary>
/// helpdesk-mailgate, the MTA pipe's lean client: hands the bytes to the running server, else to the fallback command
/// (helpdesk mailgate), else tells the MTA to retry. Run here as <c>dotnet helpdesk-mailgate.dll</c>; the same code
/// publishes as a native executable.
/// </summary>
public sealed class LeanMailgateTests
{
    private static Task<(int Exit, string Stdout, string Stderr)> LeanAsync(string stdin, params string[] args) =>
        DotnetProcess.RunAsync("helpdesk-mailgate.dll", args, stdin,
            new Dictionary<string, string?> { ["HELPDESK_MAILGATE_URL"] = null, ["HELPDESK_MAILGATE_FALLBACK"] = null });

    [Fact]
    public async Task Hands_the_message_to_the_running_server_and_prints_its_json_line()
    {
        using var desk = new MailDeskFactory();
        var address = await desk.StartOnLoopbackAsync();

        var (exit, stdout, stderr) = await LeanAsync(Mime.Message(from: "lean@example.test"), "--url", address);

        exit.Should().Be(0, stderr);
        var json = JsonDocument.Parse(stdout).RootElement;
        json.GetProperty("outcome").GetString().Should().Be("created");
        var number = json.GetProperty("ticket").GetInt32();
        (await desk.DbAsync(db => db.Tickets.AnyAsync(t => t.Number == number))).Should().BeTrue();
    }

    [Fact]
    public async Task Input_that_is_not_mail_exits_65_and_stores_nothing()
    {
        using var desk = new MailDeskFactory();
        var address = await desk.StartOnLoopbackAsync();

        var (exit, stdout, stderr) = await LeanAsync("\u0001\u0002 not a message at all", "--url", address);

        exit.Should().Be(65);
        stdout.Should().BeEmpty();
        stderr.Trim().Should().Be("helpdesk-mailgate: the input is not an e-mail message");
        (await desk.DbAsync(db => db.Tickets.CountAsync())).Should().Be(0);
    }

    [Fact]
    public async Task Without_a_server_the_fallback_command_stores_the_message()
    {
        using var desk = new MailDeskFactory();
        _ = desk.Services;
        await desk.EnsureTeamAsync("support");
        var helpdesk = Path.Combine(AppContext.BaseDirectory, "helpdesk.dll");
        var settings = string.Join(" ", desk.Database.EnvironmentVariables.Select(kv => $"{kv.Key}=\"{kv.Value}\""));
        var fallback = $"env {settings} dotnet {helpdesk} mailgate";

        var (exit, stdout, stderr) = await LeanAsync(Mime.Message(from: "fallback-lean@example.test"), "--url", "http://127.0.0.1:9", "--fallback", fallback);

        exit.Should().Be(0, stderr);
        JsonDocument.Parse(stdout).RootElement.GetProperty("outcome").GetString().Should().Be("created");
        (await desk.DbAsync(db => db.Tickets.CountAsync())).Should().Be(1);
    }

    [Fact]
    public async Task Without_a_server_or_fallback_the_MTA_is_told_to_retry()
    {
        var (exit, stdout, stderr) = await LeanAsync(Mime.Message(), "--url", "http://127.0.0.1:9");

        exit.Should().Be(75, "EX_TEMPFAIL: the MTA keeps the message and tries again");
        stdout.Should().BeEmpty();
        stderr.Should().Contain("did not answer");
    }
}
