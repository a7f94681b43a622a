using System.Text.Json;
using HelpDesk.Mail.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Mail.Tests.Cli;

/// <summary>The rt-mailgate way: the mailgate process hands the bytes to the running server over loopback, else stores them itself.</summary>
public sealed class MailgateHandoffTests
{
    /// <param name="database">The database settings as environment variables (<c>ConnectionStrings__HelpDesk</c>, provider).</param>
    private static async Task<(int Exit, string Stdout)> MailgateAsync(string stdin, string url, IReadOnlyDictionary<string, string> database)
    {
        var (exit, stdout, _) = await DotnetProcess.RunAsync("helpdesk.dll", ["mailgate"], stdin,
            new Dictionary<string, string?>(database.Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value)))
        {
            ["HelpDesk__Mail__MailgateUrl"] = url,
        });
        return (exit, stdout);
    }

    [Fact]
    public async Task The_running_server_takes_the_message_so_the_process_needs_no_database()
    {
        using var desk = new MailDeskFactory();
        var address = await desk.StartOnLoopbackAsync();
        var unusable = new Dictionary<string, string> { ["ConnectionStrings__HelpDesk"] = $"Data Source={Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "x.db")}" };

        var (exit, stdout) = await MailgateAsync(Mime.Message(from: "handoff@example.test"), address, unusable);

        exit.Should().Be(0);
        var json = JsonDocument.Parse(stdout).RootElement;
        json.GetProperty("outcome").GetString().Should().Be("created");
        var number = json.GetProperty("ticket").GetInt32();
        (await desk.DbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Tickets, t => t.Number == number))).Should().BeTrue();
    }

    [Fact]
    public async Task Concurrent_hand_offs_are_ingested_together_and_each_caller_gets_its_own_message_outcome()
    {
        using var desk = new MailDeskFactory();
        var address = await desk.StartOnLoopbackAsync();
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        var senders = Enumerable.Range(0, 12).Select(i => $"together{i}.{Guid.NewGuid():N}"[..20] + "@example.test").ToList();

        var answers = await Task.WhenAll(senders.Select(async from =>
        {
            var response = await http.PostAsync("/mailgate", new StringContent(Mime.Message(from: from, subject: "Order for " + from)));
            response.EnsureSuccessStatusCode();
            return (From: from, Json: JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
        }));

        answers.Select(a => a.Json.GetProperty("outcome").GetString()).Should().AllBe("created");
        answers.Select(a => a.Json.GetProperty("ticket").GetInt32()).Should().OnlyHaveUniqueItems();
        foreach (var (from, json) in answers)
        {
            var number = json.GetProperty("ticket").GetInt32();
            var subject = await desk.DbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
                db.Tickets.Where(t => t.Number == number).Select(t => t.Subject)));
            subject.Should().Be("Order for " + from, "every caller is answered with the ticket of its own message");
        }
    }

    [Fact]
    public async Task Without_a_server_answering_the_mailgate_stores_the_message_itself()
    {
        using var desk = new MailDeskFactory();
        _ = desk.Services;
        await desk.EnsureTeamAsync("support");
        var (exit, stdout) = await MailgateAsync(Mime.Message(from: "fallback@example.test"), "http://127.0.0.1:9", desk.Database.EnvironmentVariables);
        exit.Should().Be(0);
        JsonDocument.Parse(stdout).RootElement.GetProperty("outcome").GetString().Should().Be("created");
    }
}
