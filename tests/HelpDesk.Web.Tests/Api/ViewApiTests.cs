using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Web.Tests.Infrastructure;
using NodaTime;

namespace HelpDesk.Web.Tests.Api;

/// <summary>Queue views, their counts, paging and saved personal views through the real HTTP pipeline.</summary>
public sealed class ViewApiTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _dana = null!;
    private HttpClient _tom = null!;
    private HttpClient _bo = null!;

    public async Task InitializeAsync()
    {
        _dana = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        _tom = await _factory.AgentClientAsync("tom@helpdesk.test", "agent", "support");
        _bo = await _factory.AgentClientAsync("bo@helpdesk.test", "agent", "billing");
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private static List<int> Numbers(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt32()).ToList();

    private async Task<JsonElement> QueueAsync(HttpClient client, string query) => await (await client.GetAsync($"/api/v1/tickets?{query}")).JsonAsync();

    private async Task SetStatusAsync(int number, string status)
    {
        _factory.Clock.Advance(Duration.FromMinutes(5));
        (await _dana.PostAsJsonAsync($"/api/v1/tickets/{number}/status", new { status })).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Each_view_lists_its_tickets_and_solved_and_closed_lists_are_newest_update_first()
    {
        var mine = await _dana.CreateTicketNumberAsync();
        var toms = await _dana.CreateTicketNumberAsync();
        var unassigned = await _dana.CreateTicketNumberAsync();
        var pending = await _dana.CreateTicketNumberAsync();
        var solvedFirst = await _dana.CreateTicketNumberAsync();
        var solvedLater = await _dana.CreateTicketNumberAsync();
        var closed = await _dana.CreateTicketNumberAsync();
        (await _dana.PostAsync($"/api/v1/tickets/{mine}/claim", null)).EnsureSuccessStatusCode();
        (await _tom.PostAsync($"/api/v1/tickets/{toms}/claim", null)).EnsureSuccessStatusCode();
        await SetStatusAsync(pending, "pending");
        await SetStatusAsync(solvedLater, "solved");
        await SetStatusAsync(closed, "closed");
        await SetStatusAsync(solvedFirst, "solved");
        await _bo.CreateTicketNumberAsync(team: "billing");

        Numbers(await QueueAsync(_dana, "view=mine")).Should().Equal(mine);
        Numbers(await QueueAsync(_dana, "view=unassigned")).Should().BeEquivalentTo([unassigned, pending]);
        Numbers(await QueueAsync(_dana, "view=pending")).Should().Equal(pending);
        Numbers(await QueueAsync(_dana, "view=solved")).Should().Equal([solvedFirst, solvedLater], "the most recently solved first");
        Numbers(await QueueAsync(_dana, "view=closed")).Should().Equal(closed);
        Numbers(await QueueAsync(_dana, "view=open")).Should().BeEquivalentTo([mine, toms, unassigned, pending]);
        Numbers(await QueueAsync(_dana, "view=my-teams")).Should().BeEquivalentTo([mine, toms, unassigned, pending]);
        Numbers(await QueueAsync(_dana, "view=all")).Should().Equal([solvedFirst, closed, solvedLater, pending, unassigned, toms, mine],
            "every status of the agent's teams, most recently updated first (the highest number first at the same instant); never billing's ticket");
        Numbers(await QueueAsync(_dana, "view=solved&sort=created")).Should().Equal(solvedLater, solvedFirst);
        Numbers(await QueueAsync(_dana, "view=mine&assignee=" + Uri.EscapeDataString("tom@helpdesk.test"))).Should().Equal([toms],
            "a filter given explicitly takes precedence over the view's own");
    }

    [Fact]
    public async Task View_counts_are_the_totals_of_their_lists_and_never_count_another_teams_tickets()
    {
        var claimed = await _dana.CreateTicketNumberAsync();
        (await _dana.PostAsync($"/api/v1/tickets/{claimed}/claim", null)).EnsureSuccessStatusCode();
        await SetStatusAsync(await _dana.CreateTicketNumberAsync(), "solved");
        await SetStatusAsync(await _dana.CreateTicketNumberAsync(), "pending");
        await _dana.CreateTicketNumberAsync();
        for (var i = 0; i < 3; i++) await _bo.CreateTicketNumberAsync(team: "billing");

        var views = await (await _dana.GetAsync("/api/v1/views")).JsonAsync();
        var counts = views.GetProperty("builtIn").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!, v => v);
        counts.Keys.Should().Equal("open", "mine", "unassigned", "my-teams", "pending", "solved", "closed", "all");
        foreach (var (name, view) in counts)
        {
            var list = await QueueAsync(_dana, view.GetProperty("query").GetString()!);
            view.GetProperty("count").GetInt32().Should().Be(list.GetProperty("total").GetInt32(), $"the count of '{name}' is its list's total");
        }
        counts["all"].GetProperty("count").GetInt32().Should().Be(4, "billing's three tickets are not counted");
        counts["open"].GetProperty("count").GetInt32().Should().Be(3);
        counts["mine"].GetProperty("count").GetInt32().Should().Be(1);
        counts["solved"].GetProperty("count").GetInt32().Should().Be(1);
        var billing = (await (await _bo.GetAsync("/api/v1/views")).JsonAsync()).GetProperty("builtIn").EnumerateArray();
        billing.Single(v => v.GetProperty("name").GetString() == "all").GetProperty("count").GetInt32().Should().Be(3);
    }

    [Fact]
    public async Task Paging_walks_a_queue_longer_than_two_hundred_with_the_exact_total()
    {
        var created = new List<int>();
        for (var i = 0; i < 205; i++) created.Add(await _dana.CreateTicketNumberAsync());

        var seen = new List<int>();
        for (var offset = 0; ; offset += 60)
        {
            var page = await QueueAsync(_dana, $"view=open&limit=60&offset={offset}");
            page.GetProperty("total").GetInt32().Should().Be(205);
            page.GetProperty("limit").GetInt32().Should().Be(60);
            page.GetProperty("offset").GetInt32().Should().Be(offset);
            var numbers = Numbers(page);
            if (numbers.Count == 0) break;
            seen.AddRange(numbers);
        }
        seen.Should().BeEquivalentTo(created).And.OnlyHaveUniqueItems();
        (await _dana.GetAsync("/api/v1/tickets?limit=501")).StatusCode.Should().Be(HttpStatusCode.BadRequest, "a page too large is refused, never cut silently");
    }

    [Fact]
    public async Task Rejects_an_unknown_view_or_sort_with_a_problem_naming_the_field()
    {
        var view = await _dana.GetAsync("/api/v1/tickets?view=everything");
        view.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        view.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await view.JsonAsync()).GetProperty("errors").GetProperty("view")[0].GetString().Should().Contain("mine, unassigned, my-teams");
        var sort = await _dana.GetAsync("/api/v1/tickets?sort=oldest");
        (await sort.JsonAsync()).GetProperty("errors").TryGetProperty("sort", out _).Should().BeTrue();
        var saved = await _dana.PostAsJsonAsync("/api/v1/views/saved", new { name = " ", status = new[] { "done" } });
        saved.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var errors = (await saved.JsonAsync()).GetProperty("errors");
        errors.TryGetProperty("name", out _).Should().BeTrue();
        errors.EnumerateObject().Select(e => e.Name).Should().Contain("status[0]");
    }

    [Fact]
    public async Task A_saved_view_lists_and_counts_its_filters_for_its_owner_only()
    {
        var urgent = await _dana.CreateTicketNumberAsync(priority: "urgent");
        await _dana.CreateTicketNumberAsync(priority: "low");
        await SetStatusAsync(await _dana.CreateTicketNumberAsync(priority: "urgent"), "solved");

        var response = await _dana.PostAsJsonAsync("/api/v1/views/saved", new { name = "Urgent open", view = "open", priority = "urgent", sort = "created" });
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var saved = await response.JsonAsync();
        var id = saved.GetProperty("id").GetGuid();
        response.Headers.Location!.ToString().Should().Be($"/api/v1/views/saved/{id}");
        Numbers(await QueueAsync(_dana, saved.GetProperty("query").GetString()!)).Should().Equal(urgent);

        var listed = (await (await _dana.GetAsync("/api/v1/views")).JsonAsync()).GetProperty("saved").EnumerateArray().Single();
        listed.GetProperty("view").GetProperty("name").GetString().Should().Be("Urgent open");
        listed.GetProperty("count").GetInt32().Should().Be(1);
        (await (await _tom.GetAsync("/api/v1/views/saved")).JsonAsync()).GetArrayLength().Should().Be(0, "saved views are personal");
        (await _tom.DeleteAsync($"/api/v1/views/saved/{id}")).StatusCode.Should().Be(HttpStatusCode.NotFound);

        // Saving under the same name replaces the filters.
        (await _dana.PostAsJsonAsync("/api/v1/views/saved", new { name = "Urgent open", priority = "low" })).EnsureSuccessStatusCode();
        var replaced = (await (await _dana.GetAsync("/api/v1/views/saved")).JsonAsync()).EnumerateArray().Single();
        replaced.GetProperty("view").GetProperty("id").GetGuid().Should().Be(id);
        replaced.GetProperty("view").GetProperty("priority").GetString().Should().Be("low");

        (await _dana.DeleteAsync($"/api/v1/views/saved/{id}")).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await (await _dana.GetAsync("/api/v1/views/saved")).JsonAsync()).GetArrayLength().Should().Be(0);
    }
}
