using System.Text.Json;

namespace HelpDesk.Web.Tests.Cli;

public sealed class SlaSimulateCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("helpdesk-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The scenario of sla.md, with the weekday calendar, a pause and a priority change.</summary>
    private static readonly string SpecScenario = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "sla", "spec-example.json"));

    private string Write(string json)
    {
        var path = Path.Combine(_dir, $"{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task Simulating_the_spec_scenario_prints_every_clock()
    {
        var result = await CliProcess.RunAsync(["sla", "simulate", Write(SpecScenario)]);

        result.ExitCode.Should().Be(0, result.Stderr);
        result.Stderr.Should().BeEmpty();
        var clocks = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("clocks").EnumerateArray().ToList();
        clocks.Select(c => (c.GetProperty("metric").GetString(), c.GetProperty("state").GetString()))
            .Should().Equal(("firstResponse", "met"), ("nextReply", "met"), ("resolution", "met"));
        // Friday 16:00-17:00 Berlin (CET) is one hour, Monday 09:00-10:00 (CEST, after the switch on 29 March) another.
        clocks[0].GetProperty("counted").GetString().Should().Be("PT2H");
        clocks[0].GetProperty("stoppedAt").GetString().Should().Be("2026-03-30T08:00:00Z");
    }

    [Fact]
    public async Task Reads_the_scenario_from_standard_input_with_a_dash()
    {
        var result = await CliProcess.RunAsync(["sla", "simulate", "-"], stdin: SpecScenario);

        result.ExitCode.Should().Be(0, result.Stderr);
        JsonDocument.Parse(result.Stdout).RootElement.GetProperty("clocks").GetArrayLength().Should().Be(3);
    }

    public static TheoryData<string, string, string> BadScenarios => new()
    {
        { "unknown time zone", SpecScenario.Replace("Europe/Berlin", "Mars/Olympus"), "calendar.timeZone" },
        { "overlapping ranges", SpecScenario.Replace("[[\"09:00\",\"12:00\"],[\"13:00\",\"17:00\"]]", "[[\"09:00\",\"13:30\"],[\"13:00\",\"17:00\"]]"), "tuesday" },
        { "events out of order", SpecScenario.Replace("2026-03-27T15:30:00Z", "2026-03-27T14:30:00Z"), "events[1]" },
        { "event after closed", SpecScenario.Replace("\"status\": \"solved\" }", "\"status\": \"closed\" },\n{ \"at\": \"2026-04-01T11:00:00Z\", \"type\": \"customer_reply\" }"), "events[7]" },
        { "unknown event type", SpecScenario.Replace("\"internal_note\"", "\"telepathy\""), "events[1].type" },
        { "not json", "{ this is not json", "invalid JSON" },
        { "bad duration", SpecScenario.Replace("\"PT4H\"", "\"four hours\""), "firstResponse" },
    };

    [Theory]
    [MemberData(nameof(BadScenarios))]
    public async Task Bad_input_exits_2_with_one_line_naming_the_field_and_prints_nothing(string because, string scenario, string field)
    {
        var result = await CliProcess.RunAsync(["sla", "simulate", Write(scenario)]);

        result.ExitCode.Should().Be(2, because);
        result.Stdout.Should().BeEmpty(because);
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Should().ContainSingle(because);
        lines[0].Should().Contain(field, because);
    }

    [Fact]
    public async Task A_missing_file_exits_2_with_one_line()
    {
        var result = await CliProcess.RunAsync(["sla", "simulate", Path.Combine(_dir, "nope.json")]);

        result.ExitCode.Should().Be(2);
        result.Stdout.Should().BeEmpty();
        result.Stderr.Trim().Split('\n').Should().ContainSingle().Which.Should().Contain("nope.json");
    }
}
