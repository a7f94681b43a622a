using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets.AddReply;
using HelpDesk.Application.Tickets.ChangeStatus;
using HelpDesk.Application.Tickets.CreateTicket;
using HelpDesk.Application.Tickets.GetQueue;
using HelpDesk.Domain.Tickets;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.Application.Tests.Tickets;

/// <summary>The queue's order and paging across teams (it reads each team's open tickets and merges them).</summary>
public sealed class QueueOrderTests() : DeskTest
{
    [Fact]
    public async Task Pages_of_the_queue_follow_nearest_due_first_across_teams_then_undated_tickets_oldest_first()
    {
        var solved = await SeedTicketsAsync();

        var expected = await ExpectedAsync(null);
        expected.Should().HaveCountGreaterThan(10).And.NotContain(solved);
        (await PagesAsync(_desk.Admin.Id, null, 4)).Should().Equal(expected);
        (await PagesAsync(_desk.Admin.Id, null, 50)).Should().Equal(expected);
        (await PagesAsync(_desk.Lena.Id, null, 3)).Should().Equal(await ExpectedAsync(_desk.Support.Id));
        var page = await _host.QueryAsync(new GetQueue("tier2", null, null, null, 2, 1), _desk.Admin.Id);
        page.Items.Select(i => i.Number).Should().Equal((await ExpectedAsync(_desk.Tier2.Id)).Skip(1).Take(2));
        page.Items.Should().OnlyContain(i => i.Team == "tier2");
    }

    [Fact]
    public async Task A_status_filter_naming_solved_tickets_lists_them_in_the_same_order()
    {
        var solved = await SeedTicketsAsync();

        var page = await _host.QueryAsync(new GetQueue(null, ["solved", "new"], null, null), _desk.Admin.Id);

        page.Items.Select(i => i.Number).Should().Contain(solved);
        page.Items.Should().OnlyContain(i => i.Status == "solved" || i.Status == "new");
        page.Items.Should().HaveCount(page.Total);
        page.Items.Select(i => i.SlaDueAt == null).Should().BeInAscendingOrder();
        (await _host.QueryAsync(new GetQueue(null, ["new"], null, null, 2, 0), _desk.Admin.Id)).Items
            .Should().OnlyContain(i => i.Status == "new").And.HaveCount(2);
    }

    /// <summary>Tickets in both teams, created a minute apart; every third answered (no running due instant); one solved.</summary>
    private async Task<int> SeedTicketsAsync()
    {
        var numbers = new List<int>();
        for (var i = 0; i < 14; i++)
        {
            var team = i % 3 == 0 ? "tier2" : "support";
            var ticket = await _host.SendAsync(new CreateTicket($"Ticket {i}", "Body", new RequesterInput($"c{i}@customer.test", $"C {i}"),
                i % 2 == 0 ? "high" : "normal", team));
            numbers.Add(ticket.Number);
            _host.Clock.Advance(Duration.FromMinutes(1));
        }
        for (var i = 0; i < numbers.Count; i += 3)
            await _host.SendAsync(new AddReply(numbers[i], "On it", "public", null), i % 3 == 0 ? _desk.Tom.Id : _desk.Alice.Id);
        await _host.SendAsync(new ChangeStatus(numbers[1], "solved"), _desk.Alice.Id);
        return numbers[1];
    }

    private Task<List<int>> ExpectedAsync(Guid? team) => _host.WithDbAsync(async db =>
        (await db.Tickets.AsNoTracking().ToListAsync())
            .Where(t => t.Status is not (TicketStatus.Solved or TicketStatus.Closed) && (team is null || t.TeamId == team))
            .OrderBy(t => t.SlaDueAt == null).ThenBy(t => t.SlaDueAt).ThenBy(t => t.CreatedAt)
            .Select(t => t.Number).ToList());

    private async Task<List<int>> PagesAsync(Guid agent, string? team, int size)
    {
        var numbers = new List<int>();
        for (var offset = 0; ; offset += size)
        {
            var page = await _host.QueryAsync(new GetQueue(team, null, null, null, size, offset), agent);
            page.Total.Should().BeGreaterThan(0);
            numbers.AddRange(page.Items.Select(i => i.Number));
            if (offset + size >= page.Total) return numbers;
            page.Items.Should().HaveCount(size);
        }
    }
}
