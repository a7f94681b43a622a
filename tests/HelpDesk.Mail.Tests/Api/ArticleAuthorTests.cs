using System.Text.Json;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;

namespace HelpDesk.Mail.Tests.Api;

/// <summary>Each article is signed as the message that created it; the customer keeps its own name (docs/email.md, "Who wrote it").</summary>
public sealed class ArticleAuthorTests(DeskFixture fixture) : IClassFixture<DeskFixture>
{
    private readonly MailDeskFactory _desk = fixture.Desk;

    private static string Address(string local) => $"{local}{Guid.NewGuid():N}"[..(local.Length + 8)] + "@acme.test";

    [Fact]
    public async Task Two_people_writing_from_one_address_each_sign_their_own_article()
    {
        var shared = Address("team");
        var agent = await _desk.AgentClientAsync(Address("agent"), "agent", "support");
        var first = Mime.NewId();
        var created = await _desk.IngestAsync(Mime.Message(from: $"Alice Acme <{shared}>", messageId: first));
        created.Outcome.Should().Be(MailOutcome.Created);
        (await _desk.IngestAsync(Mime.Message(from: $"\"Bob Acme\" <{shared.ToUpperInvariant()}>", subject: "Re: Cannot log in", inReplyTo: first, body: "Bob here, same problem.")))
            .Outcome.Should().Be(MailOutcome.Appended);
        (await _desk.IngestAsync(Mime.Message(from: shared, subject: "Re: Cannot log in", inReplyTo: first, body: "No name this time.")))
            .Outcome.Should().Be(MailOutcome.Appended);

        var articles = (await (await agent.GetAsync($"/api/v1/tickets/{created.Ticket}/articles")).JsonAsync()).EnumerateArray()
            .Select(a => (Name: a.GetProperty("authorName").GetString(), Email: a.GetProperty("authorEmail").GetString())).ToList();
        articles.Should().Equal(("Alice Acme", shared), ("Bob Acme", shared), (shared, shared));
        var ticket = await (await agent.GetAsync($"/api/v1/tickets/{created.Ticket}")).JsonAsync();
        ticket.GetProperty("requester").GetProperty("name").GetString().Should().Be("Alice Acme", "a later display name never renames the customer");
    }

    [Fact]
    public async Task A_customer_known_only_by_address_learns_the_first_real_display_name()
    {
        var address = Address("nobody");
        var agent = await _desk.AgentClientAsync(Address("agent"), "agent", "support");
        var first = Mime.NewId();
        var created = await _desk.IngestAsync(Mime.Message(from: address, messageId: first));
        await _desk.IngestAsync(Mime.Message(from: $"\"{address}\" <{address}>", subject: "Re: Cannot log in", inReplyTo: first));
        (await RequesterNameAsync(agent, created.Ticket!.Value)).Should().Be(address, "an address as display name is no name");

        await _desk.IngestAsync(Mime.Message(from: $"Carol Customer <{address}>", subject: "Re: Cannot log in", inReplyTo: first));
        (await RequesterNameAsync(agent, created.Ticket!.Value)).Should().Be("Carol Customer");
        await _desk.IngestAsync(Mime.Message(from: $"Dave Other <{address}>", subject: "Re: Cannot log in", inReplyTo: first));
        (await RequesterNameAsync(agent, created.Ticket!.Value)).Should().Be("Carol Customer");

        var authors = (await (await agent.GetAsync($"/api/v1/tickets/{created.Ticket}/articles")).JsonAsync()).EnumerateArray()
            .Select(a => a.GetProperty("authorName").GetString()).ToList();
        authors.Should().Equal(address, address, "Carol Customer", "Dave Other");
    }

    [Fact]
    public async Task A_ticket_opened_through_the_api_keeps_the_customers_name_as_its_author()
    {
        var address = Address("api");
        var agent = await _desk.AgentClientAsync(Address("agent"), "agent", "support");
        await _desk.IngestAsync(Mime.Message(from: $"Erin Known <{address}>"));
        var response = await agent.PostAsync("/api/v1/tickets", System.Net.Http.Json.JsonContent.Create(new
        {
            subject = "Phoned in", body = "Called about the invoice.", requester = new { email = address, name = "Someone Else" }, priority = "normal", team = "support",
        }));
        var number = (await response.JsonAsync()).GetProperty("number").GetInt32();
        var article = (await (await agent.GetAsync($"/api/v1/tickets/{number}/articles")).JsonAsync())[0];
        article.GetProperty("authorName").GetString().Should().Be("Erin Known");
    }

    private static async Task<string?> RequesterNameAsync(HttpClient agent, int number) =>
        (await (await agent.GetAsync($"/api/v1/tickets/{number}")).JsonAsync()).GetProperty("requester").GetProperty("name").GetString();
}
