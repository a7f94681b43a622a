using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HelpDesk.Application.Search;
using HelpDesk.Testing;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Web.Tests.Search;

/// <summary>
/// What keeps search right and bounded on a large database (docs/search.md, ADR 0013): the ranked window with paging past
/// it, and the backfill that indexes tickets written before search existed. Real host, SQLite or PostgreSQL (pgtest.sh).
/// </summary>
public sealed class SearchAtScaleTests
{
    private static async Task<int> OpenAsync(HttpClient client, string subject, string body)
    {
        var response = await client.PostAsJsonAsync("/api/v1/tickets",
            new { subject, body, requester = new { email = "maria@example.test", name = "Maria" }, priority = "normal", team = "support" });
        response.EnsureSuccessStatusCode();
        return (await response.JsonAsync()).GetProperty("number").GetInt32();
    }

    private static async Task<JsonElement> SearchAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync($"/api/v1/search?{query}");
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    private static List<int> Numbers(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("number").GetInt32()).ToList();

    [Fact]
    public async Task Ranks_the_newest_hits_then_pages_through_every_older_one_with_a_lower_bound_total()
    {
        await using var factory = new HelpDeskFactory(settings: new Dictionary<string, string?> { ["HelpDesk:Search:RankedWindow"] = "3" });
        var dana = await factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");
        var older = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            older.Add(await OpenAsync(dana, $"Order {i}", "Meine Bestellung ist nicht angekommen."));
            factory.Clock.AdvanceMinutes(1);
        }
        var titled = await OpenAsync(dana, "Bestellung verloren", "Wo ist mein Paket?");
        var newest = new List<int>();
        for (var i = 0; i < 2; i++)
        {
            factory.Clock.AdvanceMinutes(1);
            newest.Add(await OpenAsync(dana, $"Order {i + 4}", "Meine Bestellung ist nicht angekommen."));
        }

        var pages = new List<JsonElement>();
        for (var page = 1; page <= 4; page++) pages.Add(await SearchAsync(dana, $"q=bestellung&page={page}&pageSize=2"));

        pages.SelectMany(Numbers).Should().Equal(new[] { titled, newest[1], newest[0] }.Concat(older.AsEnumerable().Reverse()),
            "the 3 newest hits are ranked (subject first, then most recently updated), older hits follow newest first, none left out");
        pages[0].GetProperty("totalExact").GetBoolean().Should().BeFalse("7 hits exceed the window of 3");
        pages[0].GetProperty("total").GetInt32().Should().Be(3, "a lower bound: more than 3");
        pages.Take(3).Should().OnlyContain(p => p.GetProperty("hasMore").GetBoolean());
        pages[3].GetProperty("hasMore").GetBoolean().Should().BeFalse();
        pages[3].GetProperty("totalExact").GetBoolean().Should().BeTrue("the last page has counted every hit");
        pages[3].GetProperty("total").GetInt32().Should().Be(7);
        var past = await SearchAsync(dana, "q=bestellung&page=9&pageSize=2");
        Numbers(past).Should().BeEmpty();
        (past.GetProperty("totalExact").GetBoolean(), past.GetProperty("total").GetInt32()).Should().Be((false, 3), "past the end it counts only as far as the window");
        var small = await SearchAsync(dana, "q=paket");
        (small.GetProperty("totalExact").GetBoolean(), small.GetProperty("total").GetInt32(), small.GetProperty("hasMore").GetBoolean())
            .Should().Be((true, 1, false));
    }

    [Fact]
    public async Task Tickets_written_before_search_existed_are_found_after_an_upgrade_without_a_command()
    {
        await using var database = TestDatabase.Create();
        var numbers = new List<int>();
        // The old version: tickets without search documents (the search migration creates the table empty).
        await using (var old = new HelpDeskFactory(database.Shared()))
        {
            var dana = await old.AgentClientAsync("dana@helpdesk.test", "agent", "support");
            numbers.Add(await OpenAsync(dana, "Zahnrad gebrochen", "Das Zahnrad im Getriebe ist gebrochen."));
            numbers.Add(await OpenAsync(dana, "ไม่ได้รับสินค้า", "ฉันสั่งซื้อสินค้าเมื่อสัปดาห์ที่แล้วแต่ยังไม่ได้รับ"));
            numbers.Add(await OpenAsync(dana, "Rechnung", "Die Rechnung für das Zahnrad fehlt."));
        }
        await using (var db = database.NewContext())
        {
            await db.Set<SearchDocument>().ExecuteDeleteAsync();
            (await new SearchRebuild(db).CountMissingAsync(CancellationToken.None)).Should().Be(3);
        }

        await using var upgraded = new HelpDeskFactory(database.Shared());
        var lead = await upgraded.AgentClientAsync("lena@helpdesk.test", "agent", "support");
        var health = upgraded.CreateClient();
        var status = "";
        // The backfill runs in the background; /health is Degraded until it has found the index complete.
        for (var waited = 0; waited < 300 && status != "Healthy"; waited++)
        {
            status = await (await health.GetAsync("/health")).Content.ReadAsStringAsync();
            if (status != "Healthy") await Task.Delay(100);
        }

        status.Should().Be("Healthy");
        Numbers(await SearchAsync(lead, "q=zahnrad")).Should().BeEquivalentTo([numbers[0], numbers[2]]);
        Numbers(await SearchAsync(lead, "q=" + Uri.EscapeDataString("สินค้า"))).Should().Equal(numbers[1]);
        await using var check = database.NewContext();
        var rebuild = new SearchRebuild(check);
        (await rebuild.CountMissingAsync(CancellationToken.None)).Should().Be(0);
        (await rebuild.RunAsync(SearchRebuildMode.Check, null, CancellationToken.None)).Rewritten.Should().Be(0, "the backfill wrote what a rebuild derives");
        (await rebuild.RunAsync(SearchRebuildMode.Missing, null, CancellationToken.None)).Rewritten.Should().Be(0, "a second pass writes nothing");
    }
}
