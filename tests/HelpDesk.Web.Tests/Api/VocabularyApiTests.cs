using System.Net;
using System.Text.Json;
using HelpDesk.Web.Tests.Infrastructure;

namespace HelpDesk.Web.Tests.Api;

/// <summary>GET /api/v1/vocabulary: the words the console renders come from the server, with which statuses are open work.</summary>
public sealed class VocabularyApiTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _agent = null!;

    public async Task InitializeAsync() => _agent = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Lists_statuses_with_their_labels_and_which_are_open_work()
    {
        var words = await (await _agent.GetAsync("/api/v1/vocabulary")).JsonAsync();

        words.GetProperty("statuses").EnumerateArray()
            .Select(s => (s.GetProperty("name").GetString(), s.GetProperty("label").GetString(), s.GetProperty("open").GetBoolean()))
            .Should().Equal(("new", "new", true), ("open", "open", true), ("pending", "pending", true), ("on_hold", "on hold", true),
                ("solved", "solved", false), ("closed", "closed", false));
    }

    [Fact]
    public async Task Lists_priorities_most_urgent_first_and_the_SLA_clocks_with_their_labels()
    {
        var words = await (await _agent.GetAsync("/api/v1/vocabulary")).JsonAsync();

        words.GetProperty("priorities").EnumerateArray().Select(p => p.GetString()).Should().Equal("urgent", "high", "normal", "low");
        words.GetProperty("metrics").EnumerateArray().Select(m => (m.GetProperty("name").GetString(), m.GetProperty("label").GetString()))
            .Should().Equal(("firstResponse", "First response"), ("nextReply", "Next reply"), ("resolution", "Resolution"));
    }

    [Fact]
    public async Task Needs_a_signed_in_caller()
    {
        var anonymous = _factory.CreateClient();

        (await anonymous.GetAsync("/api/v1/vocabulary")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
