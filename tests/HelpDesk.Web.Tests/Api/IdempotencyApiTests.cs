using System.Net;
using System.Net.Http.Json;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Web.Tests.Api;

public sealed class IdempotencyApiTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _dana = null!;

    public async Task InitializeAsync() => _dana = await _factory.AgentClientAsync("dana@helpdesk.test", "agent", "support");

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private static HttpRequestMessage Post(string path, object body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    private static object NewTicket(string subject = "Printer on fire") =>
        new { subject, body = "Smoke everywhere.", requester = new { email = "maria@example.test", name = "Maria" }, team = "support" };

    private async Task<int> CountAsync(Func<HelpDeskDbContext, Task<int>> count)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await count(scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>());
    }

    [Fact]
    public async Task A_retried_ticket_creation_with_the_same_key_returns_the_first_answer_and_creates_one_ticket()
    {
        var first = await _dana.SendAsync(Post("/api/v1/tickets", NewTicket(), "create-1"));
        var retry = await _dana.SendAsync(Post("/api/v1/tickets", NewTicket(), "create-1"));

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        retry.StatusCode.Should().Be(HttpStatusCode.Created);
        (await retry.Content.ReadAsStringAsync()).Should().Be(await first.Content.ReadAsStringAsync());
        retry.Headers.Location.Should().Be(first.Headers.Location);
        retry.Headers.GetValues("Idempotent-Replayed").Should().Equal("true");
        (await CountAsync(db => db.Tickets.CountAsync())).Should().Be(1);
    }

    [Fact]
    public async Task A_retried_reply_and_a_retried_note_are_each_added_once()
    {
        var number = await _dana.CreateTicketNumberAsync();
        foreach (var visibility in new[] { "public", "internal" })
        {
            var body = new { body = $"A {visibility} answer.", visibility };
            var first = await _dana.SendAsync(Post($"/api/v1/tickets/{number}/replies", body, $"reply-{visibility}"));
            var retry = await _dana.SendAsync(Post($"/api/v1/tickets/{number}/replies", body, $"reply-{visibility}"));

            first.StatusCode.Should().Be(HttpStatusCode.Created);
            retry.StatusCode.Should().Be(HttpStatusCode.Created);
            (await retry.Content.ReadAsStringAsync()).Should().Be(await first.Content.ReadAsStringAsync());
        }
        (await CountAsync(db => db.Articles.CountAsync(a => a.TicketId == db.Tickets.Single(t => t.Number == number).Id))).Should().Be(3);
    }

    [Fact]
    public async Task Rejects_a_key_reused_for_a_different_request_with_422_naming_the_header()
    {
        (await _dana.SendAsync(Post("/api/v1/tickets", NewTicket("First"), "same"))).StatusCode.Should().Be(HttpStatusCode.Created);

        var other = await _dana.SendAsync(Post("/api/v1/tickets", NewTicket("Second"), "same"));

        other.StatusCode.Should().Be(HttpStatusCode.UnprocessableEntity);
        other.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await other.JsonAsync();
        problem.GetProperty("code").GetString().Should().Be("idempotency.key_reused");
        problem.GetProperty("field").GetString().Should().Be("Idempotency-Key");
        (await CountAsync(db => db.Tickets.CountAsync())).Should().Be(1);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("tab\tkey")]
    public async Task Rejects_a_malformed_key_with_400_naming_the_header(string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tickets") { Content = JsonContent.Create(NewTicket()) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

        var response = await _dana.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync()).GetProperty("errors").TryGetProperty("Idempotency-Key", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Rejects_a_key_longer_than_the_column_with_400()
    {
        var response = await _dana.SendAsync(Post("/api/v1/tickets", NewTicket(), new string('k', IdempotentWrite.MaxKeyLength + 1)));
        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Keys_are_scoped_per_caller_so_another_agent_with_the_same_key_creates_its_own_ticket()
    {
        var eve = await _factory.AgentClientAsync("eve@helpdesk.test", "agent", "support");

        var mine = await _dana.SendAsync(Post("/api/v1/tickets", NewTicket(), "shared-key"));
        var theirs = await eve.SendAsync(Post("/api/v1/tickets", NewTicket(), "shared-key"));

        theirs.StatusCode.Should().Be(HttpStatusCode.Created);
        theirs.Headers.Contains("Idempotent-Replayed").Should().BeFalse();
        theirs.Headers.Location.Should().NotBe(mine.Headers.Location);
        (await CountAsync(db => db.Tickets.CountAsync())).Should().Be(2);
    }

    [Fact]
    public async Task Of_concurrent_duplicates_with_one_key_one_ticket_is_created_and_the_others_get_its_answer_or_409()
    {
        var sends = Enumerable.Range(0, 8).Select(_ => _dana.SendAsync(Post("/api/v1/tickets", NewTicket(), "burst"))).ToList();
        var responses = await Task.WhenAll(sends);

        responses.Select(r => r.StatusCode).Should().OnlyContain(s => s == HttpStatusCode.Created || s == HttpStatusCode.Conflict);
        var locations = responses.Where(r => r.StatusCode == HttpStatusCode.Created).Select(r => r.Headers.Location).Distinct();
        locations.Should().ContainSingle();
        (await CountAsync(db => db.Tickets.CountAsync())).Should().Be(1);
    }

    [Fact]
    public async Task A_key_expires_after_24_hours_and_the_sweep_deletes_its_answer()
    {
        (await _dana.SendAsync(Post("/api/v1/tickets", NewTicket(), "old"))).StatusCode.Should().Be(HttpStatusCode.Created);
        _factory.Clock.Advance(Duration.FromHours(25));

        var again = await _dana.SendAsync(Post("/api/v1/tickets", NewTicket(), "old"));
        again.Headers.Contains("Idempotent-Replayed").Should().BeFalse();
        (await CountAsync(db => db.Tickets.CountAsync())).Should().Be(2);

        _factory.Clock.Advance(Duration.FromHours(25));
        (await CountAsync(db => IdempotentWrite.DeleteExpiredAsync(db, _factory.Clock.GetCurrentInstant(), default))).Should().Be(1);
        (await CountAsync(db => db.Set<IdempotencyRecord>().CountAsync())).Should().Be(0);
    }
}
