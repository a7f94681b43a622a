using System.Net;
using System.Net.Http.Json;
using System.Text;
using HelpDesk.Web.Tests.Infrastructure;

namespace HelpDesk.Web.Tests.Api;

/// <summary>Holidays imported from an iCalendar file (issue 14), read by Ical.Net.</summary>
public sealed class HolidayImportApiTests : IAsyncLifetime
{
    private readonly HelpDeskFactory _factory = new();
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _admin = await _factory.AgentClientAsync("admin@helpdesk.test", "admin", "support");
        (await _admin.PutAsJsonAsync("/api/v1/calendars/office", new
        {
            timeZone = "Europe/Berlin",
            week = new Dictionary<string, string[][]> { ["monday"] = [["09:00", "17:00"]], ["friday"] = [["09:00", "17:00"]] },
            holidays = new[] { "2026-12-25" },
        })).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private Task<HttpResponseMessage> ImportAsync(string ics, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/calendars/office/holidays/import")
        {
            Content = new StringContent(ics, Encoding.UTF8, "text/calendar"),
        };
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return _admin.SendAsync(request);
    }

    [Fact]
    public async Task Importing_a_holiday_file_adds_its_all_day_days_and_says_what_it_skipped()
    {
        var ics = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "data", "calendars", "holidays-de.ics"));

        var response = await ImportAsync(ics, "\"1\"");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.ETag!.Tag.Should().Be("\"2\"");
        var body = await response.JsonAsync();
        // The factory's clock is in 2026: a yearly holiday repeats to the end of 2027.
        body.GetProperty("added").EnumerateArray().Select(a => (a.GetProperty("date").GetString(), a.GetProperty("summary").GetString()))
            .Should().Equal(("2026-12-26", "Weihnachten"), ("2027-01-01", "Neujahr"), ("2027-03-26", "Karfreitag"));
        body.GetProperty("skipped").EnumerateArray().Select(s => (s.GetProperty("date").GetString(), s.GetProperty("reason").GetString()))
            .Should().BeEquivalentTo([("2026-12-18", "not an all-day event (it has a time of day)"), ("2026-12-25", "already a holiday")]);
        var calendar = await (await _admin.GetAsync("/api/v1/calendars/office")).JsonAsync();
        calendar.GetProperty("version").GetInt32().Should().Be(2);
        calendar.GetProperty("body").GetProperty("holidays").EnumerateArray().Select(h => h.GetString())
            .Should().Equal("2026-12-25", "2026-12-26", "2027-01-01", "2027-03-26");
    }

    [Fact]
    public async Task Importing_the_same_file_twice_adds_nothing_the_second_time()
    {
        var ics = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "data", "calendars", "holidays-de.ics"));
        (await ImportAsync(ics)).EnsureSuccessStatusCode();

        var again = await (await ImportAsync(ics)).JsonAsync();

        again.GetProperty("added").GetArrayLength().Should().Be(0);
        again.GetProperty("version").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        (await (await _admin.GetAsync("/api/v1/calendars/office")).JsonAsync()).GetProperty("version").GetInt32().Should().Be(2);
    }

    [Fact]
    public async Task Rejects_a_file_that_is_not_icalendar_with_a_problem_naming_the_file()
    {
        var response = await ImportAsync("Date,Holiday\n2026-12-25,Christmas\n");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.JsonAsync()).GetProperty("errors").TryGetProperty("file", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Rejects_an_import_with_a_stale_if_match()
    {
        var response = await ImportAsync("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "\"7\"");

        response.StatusCode.Should().Be(HttpStatusCode.PreconditionFailed);
    }
}
