using System.Diagnostics.Metrics;
using HelpDesk.Application.Telemetry;
using HelpDesk.Application.Tests.Support;
using HelpDesk.Application.Tickets.AddReply;
using HelpDesk.Application.Tickets.ChangeStatus;
using HelpDesk.Application.Tickets.TagTicket;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

namespace HelpDesk.Application.Tests.Telemetry;

/// <summary>The meter "HelpDesk" as a collector sees it, through a <see cref="MeterListener"/> on this host's meters only.</summary>
public sealed class MeterTests : DeskTest, IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];

    public MeterTests()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // Meters from other test hosts running in parallel have the same name; only this host's factory counts.
            if (instrument.Meter.Name == HelpDeskTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, _factory)) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i, v, tags));
    }

    private object? _factory;

    private void Add(Instrument i, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        lock (_measurements) _measurements.Add((i.Name, value, new Dictionary<string, object?>(tags.ToArray())));
    }

    private void Listen()
    {
        _factory = _host.Services.GetRequiredService<IMeterFactory>();
        _host.Services.GetRequiredService<HelpDeskTelemetry>();
        _listener.Start();
    }

    [Fact]
    public async Task Records_the_business_time_of_a_first_response_once_when_the_reply_is_committed()
    {
        Listen();
        var ticket = await _desk.OpenTicketAsync(_host, "high");
        _host.Clock.Advance(Duration.FromMinutes(90));
        await _host.SendAsync(new AddReply(ticket.Number, "On it.", "public", null), _desk.Alice.Id);
        await _host.SendAsync(new TagTicket(ticket.Number, ["vpn"], null), _desk.Alice.Id);

        var frt = _measurements.Where(m => m.Instrument == "helpdesk.first_response.business_time").Should().ContainSingle().Subject;
        frt.Value.Should().Be(5400);
        frt.Tags["team"].Should().Be("support");
        frt.Tags["priority"].Should().Be("high");
        var cycles = _measurements.Where(m => m.Instrument == "helpdesk.sla.cycles").Should().ContainSingle().Subject;
        cycles.Tags.Should().Contain("metric", "firstResponse").And.Contain("outcome", "met");
    }

    [Fact]
    public async Task Counts_a_breached_cycle_as_breached_and_records_nothing_for_a_change_that_stops_no_clock()
    {
        Listen();
        var ticket = await _desk.OpenTicketAsync(_host);
        _host.Clock.Advance(Duration.FromHours(5)); // past the 4 h first-response target
        await _host.SendAsync(new TagTicket(ticket.Number, ["late"], null), _desk.Alice.Id);
        _measurements.Should().BeEmpty();

        await _host.SendAsync(new ChangeStatus(ticket.Number, "solved"), _desk.Alice.Id);

        _measurements.Where(m => m.Instrument == "helpdesk.sla.cycles").Select(m => (m.Tags["metric"], m.Tags["outcome"]))
            .Should().Equal(("firstResponse", "breached"));
    }

    [Fact]
    public async Task Observes_the_open_backlog_by_team_and_priority()
    {
        Listen();
        await _desk.OpenTicketAsync(_host, "urgent");
        await _desk.OpenTicketAsync(_host, "urgent");
        var solved = await _desk.OpenTicketAsync(_host);
        await _host.SendAsync(new ChangeStatus(solved.Number, "solved"), _desk.Alice.Id);

        _listener.RecordObservableInstruments();

        _measurements.Where(m => m.Instrument == "helpdesk.backlog").Select(m => (m.Tags["team"], m.Tags["priority"], m.Value))
            .Should().Equal(("support", "urgent", 2.0));
    }

    public void Dispose() => _listener.Dispose();
}
