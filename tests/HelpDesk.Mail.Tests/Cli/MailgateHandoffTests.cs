using System.Text.Json;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Mail.Tests.Cli;

/// <summary>The rt-mailgate way: the mailgate process hands the bytes to the running server over loopback, else stores them itself.</summary>
public sealed class MailgateHandoffTests
{
    private static async Task<(int Exit, string Stdout)> MailgateAsync(string stdin, string url, string connectionString)
    {
        var (exit, stdout, _) = await DotnetProcess.RunAsync("helpdesk.dll", ["mailgate"], stdin, new Dictionary<string, string?>
        {
            ["ConnectionStrings__HelpDesk"] = connectionString,
            ["HelpDesk__Mail__MailgateUrl"] = url,
        });
        return (exit, stdout);
    }

    [Fact]
    public async Task The_running_server_takes_the_message_so_the_process_needs_no_database()
    {
        using var desk = new MailDeskFactory();
        desk.UseKestrel(0);
        desk.StartServer();
        await desk.EnsureTeamAsync("support");
        var address = desk.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var unusable = $"Data Source={Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "x.db")}";

        var (exit, stdout) = await MailgateAsync(Mime.Message(from: "handoff@example.test"), address, unusable);

        exit.Should().Be(0);
        var json = JsonDocument.Parse(stdout).RootElement;
        json.GetProperty("outcome").GetString().Should().Be("created");
        var number = json.GetProperty("ticket").GetInt32();
        (await desk.DbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Tickets, t => t.Number == number))).Should().BeTrue();
    }

    [Fact]
    public async Task Without_a_server_answering_the_mailgate_stores_the_message_itself()
    {
        using var desk = new MailDeskFactory();
        _ = desk.Services;
        await desk.EnsureTeamAsync("support");
        var (exit, stdout) = await MailgateAsync(Mime.Message(from: "fallback@example.test"), "http://127.0.0.1:9", $"Data Source={desk.DatabasePath}");
        exit.Should().Be(0);
        JsonDocument.Parse(stdout).RootElement.GetProperty("outcome").GetString().Should().Be("created");
    }
}
