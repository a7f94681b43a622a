using HelpDesk.Domain.Surveys;
using System.Text;
using CsvHelper;
using HelpDesk.Application.Common;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Reporting.Breaches.AcknowledgeBreach;
using HelpDesk.Application.Reporting.Csv;
using HelpDesk.Application.Reporting.Csv.ExportCycles;
using HelpDesk.Application.Reporting.Csv.ExportTickets;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets;
using HelpDesk.Application.Tickets.AddReply;
using HelpDesk.Application.Tickets.AssignTicket;
using HelpDesk.Application.Tickets.ChangeStatus;
using HelpDesk.Application.Tickets.CreateTicket;
using Mediator;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Application.Tests.Reporting;

public class CsvExportTests : DeskTest
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>Runs the export and writes the file in one scope, as the endpoint does within its request.</summary>
    private async Task<byte[]> ExportAsync(IQuery<CsvFile> query, Guid asAgent)
    {
        _host.Agent.AgentId = asAgent;
        await using var scope = _host.Services.CreateAsyncScope();
        var file = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(query);
        using var stream = new MemoryStream();
        await file.WriteAsync(stream, CancellationToken.None);
        return stream.ToArray();
    }

    /// <summary>Reads the file back with CsvHelper: the header and every record's cells by column name.</summary>
    private static (IReadOnlyList<string> Header, List<Dictionary<string, string>> Rows) Parse(byte[] csv)
    {
        using var reader = CsvReader.Create(new MemoryStream(csv), new CsvReaderOptions { Separator = ',' }, leaveOpen: false);
        var rows = new List<Dictionary<string, string>>();
        while (reader.Read())
            rows.Add(reader.Headers.Select((h, i) => (h, i)).ToDictionary(x => x.h, x => reader.GetString(x.i)));
        return (reader.Headers.ToList(), rows);
    }

    private Task<TicketDto> OpenAsync(string subject, string email = "carol@customer.test", string name = "Carol") =>
        _host.SendAsync(new CreateTicket(subject, "Details.", new RequesterInput(email, name), "normal", "support"));

    [Fact]
    public async Task Tickets_csv_quotes_commas_quotes_and_newlines_and_neutralises_formulas()
    {
        string[] subjects =
        [
            "=HYPERLINK(\"http://evil.test\",\"Click\")", "+SUM(A1:A9)", "-2+3", "@cmd", "Printer, \"the big one\"",
            "Zoë's Größe résumé", "Plain subject",
        ];
        foreach (var subject in subjects) await OpenAsync(subject);

        var csv = await ExportAsync(new ExportTickets("2026-03-02", "2026-03-02"), _desk.Lena.Id);

        csv.Take(3).Should().Equal(Bom, "Excel needs the byte order mark to read UTF-8");
        var (header, rows) = Parse(csv);
        header.Should().Equal(ExportTicketsHandler.Header);
        rows.Select(r => r["subject"]).Should().Equal(
            "'=HYPERLINK(\"http://evil.test\",\"Click\")", "'+SUM(A1:A9)", "'-2+3", "'@cmd", "Printer, \"the big one\"",
            "Zoë's Größe résumé", "Plain subject");
        Encoding.UTF8.GetString(csv).Should().Contain("\"Printer, \"\"the big one\"\"\"", "CsvHelper quotes the field and doubles its quotes");
    }

    [Fact]
    public async Task Tickets_csv_has_the_outcome_of_each_ticket()
    {
        var ticket = await OpenAsync("Cannot log in");
        await _host.SendAsync(new AssignTicket(ticket.Number, "alice@desk.test"), _desk.Lena.Id);
        _host.Clock.Advance(Duration.FromMinutes(90));
        await _host.SendAsync(new AddReply(ticket.Number, "Reset it for you.", "public", null), _desk.Alice.Id);
        await _host.SendAsync(new ChangeStatus(ticket.Number, "solved"), _desk.Alice.Id);
        _host.Clock.Advance(Duration.FromHours(5));
        var late = await OpenAsync("Nobody answers");
        _host.Clock.Advance(Duration.FromHours(5));
        while (!(await _host.FireDueAsync()).IsEmpty) { }

        var (_, rows) = Parse(await ExportAsync(new ExportTickets("2026-03-02", "2026-03-02", Tz: "Europe/Berlin"), _desk.Lena.Id));

        rows.Should().HaveCount(2);
        rows[0].Should().Contain(new Dictionary<string, string>
        {
            ["number"] = ticket.Number.ToString(), ["team"] = "support", ["agent"] = "Alice", ["priority"] = "normal", ["channel"] = "api",
            ["status"] = "solved", ["created"] = "2026-03-02 10:00:00", ["first_response"] = "2026-03-02 11:30:00", ["solved"] = "2026-03-02 11:30:00",
            ["frt_business_hours"] = "1.5", ["frt_calendar_hours"] = "1.5", ["fcr"] = "yes",
            ["sla_first_response"] = "met", ["sla_next_reply"] = "none", ["breaches"] = "0", ["csat"] = "",
        });
        rows[1].Should().Contain(new Dictionary<string, string>
        {
            ["number"] = late.Number.ToString(), ["agent"] = "", ["status"] = "new", ["first_response"] = "", ["solved"] = "",
            ["frt_business_hours"] = "", ["fcr"] = "", ["sla_first_response"] = "breached", ["breaches"] = "1",
        });
    }

    [Fact]
    public async Task Cycles_csv_lists_stopped_and_breached_cycles_with_the_acknowledgement_note_quoted()
    {
        var onTime = await OpenAsync("Quick one");
        _host.Clock.Advance(Duration.FromHours(1));
        await _host.SendAsync(new AddReply(onTime.Number, "Done.", "public", null), _desk.Alice.Id);
        var late = await OpenAsync("Slow one");
        _host.Clock.Advance(Duration.FromHours(5));
        while (!(await _host.FireDueAsync()).IsEmpty) { }
        await _host.SendAsync(new AcknowledgeBreach(late.Number, "firstResponse", 1, "other",
            "=cmd|' /C calc'!A0\nsecond line, with \"quotes\""), _desk.Lena.Id);
        await OpenAsync("Still running"); // neither stopped nor breached: not a row

        var csv = await ExportAsync(new ExportCycles("2026-03-02", "2026-03-02"), _desk.Lena.Id);

        csv.Take(3).Should().Equal(Bom);
        var (header, rows) = Parse(csv);
        header.Should().Equal(ExportCyclesHandler.Header);
        rows.Select(r => (r["ticket"], r["metric"], r["state"])).Should().Equal(
            (onTime.Number.ToString(), "firstResponse", "met"), (late.Number.ToString(), "firstResponse", "breached"));
        rows[0].Should().Contain(new Dictionary<string, string>
        {
            ["cycle"] = "1", ["team"] = "support", ["target_hours"] = "4", ["counted_hours"] = "1", ["started"] = "2026-03-02 09:00:00",
            ["stopped"] = "2026-03-02 10:00:00", ["breached"] = "", ["attributed_agent"] = "", ["acknowledgement_category"] = "",
        });
        rows[1].Should().Contain(new Dictionary<string, string>
        {
            ["breached"] = "2026-03-02 14:00:00", ["stopped"] = "", ["attributed_team"] = "support", ["attributed_agent"] = "",
            ["acknowledgement_category"] = "other", ["acknowledgement_note"] = "'=cmd|' /C calc'!A0\nsecond line, with \"quotes\"",
        });
    }

    [Fact]
    public async Task Tickets_csv_has_the_customers_latest_rating()
    {
        var rated = await OpenAsync("Rated");
        var unrated = await OpenAsync("Not rated");
        await _host.WithDbAsync(db =>
        {
            var ticketId = db.Tickets.Single(t => t.Number == rated.Number).Id;
            var first = Survey.Send(Guid.CreateVersion7(), ticketId, rated.Number, 1, "carol@customer.test", _host.Clock.GetCurrentInstant(), Duration.FromDays(7));
            first.Rate(2, _host.Clock.GetCurrentInstant() + Duration.FromMinutes(1));
            var second = Survey.Send(Guid.CreateVersion7(), ticketId, rated.Number, 2, "carol@customer.test", _host.Clock.GetCurrentInstant(), Duration.FromDays(7));
            second.Rate(5, _host.Clock.GetCurrentInstant() + Duration.FromMinutes(2));
            db.AddRange(first, second);
            return db.SaveChangesAsync();
        });

        var (_, rows) = Parse(await ExportAsync(new ExportTickets("2026-03-02", "2026-03-02"), _desk.Lena.Id));

        rows.Select(r => (r["number"], r["csat"])).Should().Equal((rated.Number.ToString(), "5"), (unrated.Number.ToString(), ""));
    }

    [Fact]
    public async Task Exports_are_for_leads_and_admins_of_the_team()
    {
        await OpenAsync("Anything");

        await FluentActions.Awaiting(() => ExportAsync(new ExportTickets("2026-03-02", "2026-03-02"), _desk.Alice.Id)).Should().ThrowAsync<ForbiddenException>();
        await FluentActions.Awaiting(() => ExportAsync(new ExportCycles("2026-03-02", "2026-03-02"), _desk.Alice.Id)).Should().ThrowAsync<ForbiddenException>();
        Parse(await ExportAsync(new ExportTickets("2026-03-02", "2026-03-02"), _desk.Admin.Id)).Rows.Should().HaveCount(1);
        Parse(await ExportAsync(new ExportTickets("2026-03-02", "2026-03-02", Team: "tier2"), _desk.Admin.Id)).Rows.Should().BeEmpty();
    }
}
