using HelpDesk.Application.Sla.Format;
using System.Text.Json.Nodes;
using HelpDesk.Application.Sla.Simulation;
using HelpDesk.Domain.Sla;
using NodaTime;

namespace HelpDesk.Application.Tests.Sla;

public class SlaSimulatorTests
{
    /// <summary>The input example of sla.md "Explain and simulate", verbatim (shared with the CLI tests).</summary>
    private static readonly string Example = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "sla", "spec-example.json"));

    // Hand computation (Berlin is UTC+1 until 2026-03-29, UTC+2 after; office hours Fri 08-16Z, Mon 07-15Z, Tue 07-10Z + 11-15Z):
    // firstResponse: Fri 15-16Z (1h) + Mon 07-08Z (1h) = 2h, stopped by the agent reply under high (PT4H): met, no warning reached.
    // nextReply #1: starts at the customer reply Tue 07Z, stopped by the solve Wed 10Z: Tue 3h + 4h, Wed 3h = 10h; normal at stop (PT16H): met.
    // resolution: 1h + Mon 07-09Z 2h, paused while pending until Tue 07Z, then 3h + 4h + 3h = 13h; normal (PT40H): met.
    private const string ExpectedOutput = """
        {
          "clocks": [
            {
              "metric": "firstResponse",
              "cycle": 1,
              "state": "met",
              "target": "PT4H",
              "startedAt": "2026-03-27T15:00:00Z",
              "stoppedAt": "2026-03-30T08:00:00Z",
              "dueAt": null,
              "breachedAt": null,
              "counted": "PT2H",
              "warnings": [],
              "segments": [
                {
                  "from": "2026-03-27T15:00:00Z",
                  "to": "2026-03-27T16:00:00Z",
                  "kind": "counting"
                },
                {
                  "from": "2026-03-27T16:00:00Z",
                  "to": "2026-03-30T07:00:00Z",
                  "kind": "outside_hours"
                },
                {
                  "from": "2026-03-30T07:00:00Z",
                  "to": "2026-03-30T08:00:00Z",
                  "kind": "counting"
                }
              ]
            },
            {
              "metric": "nextReply",
              "cycle": 1,
              "state": "met",
              "target": "PT16H",
              "startedAt": "2026-03-31T07:00:00Z",
              "stoppedAt": "2026-04-01T10:00:00Z",
              "dueAt": null,
              "breachedAt": null,
              "counted": "PT10H",
              "warnings": [],
              "segments": [
                {
                  "from": "2026-03-31T07:00:00Z",
                  "to": "2026-03-31T10:00:00Z",
                  "kind": "counting"
                },
                {
                  "from": "2026-03-31T10:00:00Z",
                  "to": "2026-03-31T11:00:00Z",
                  "kind": "outside_hours"
                },
                {
                  "from": "2026-03-31T11:00:00Z",
                  "to": "2026-03-31T15:00:00Z",
                  "kind": "counting"
                },
                {
                  "from": "2026-03-31T15:00:00Z",
                  "to": "2026-04-01T07:00:00Z",
                  "kind": "outside_hours"
                },
                {
                  "from": "2026-04-01T07:00:00Z",
                  "to": "2026-04-01T10:00:00Z",
                  "kind": "counting"
                }
              ]
            },
            {
              "metric": "resolution",
              "cycle": 1,
              "state": "met",
              "target": "PT40H",
              "startedAt": "2026-03-27T15:00:00Z",
              "stoppedAt": "2026-04-01T10:00:00Z",
              "dueAt": null,
              "breachedAt": null,
              "counted": "PT13H",
              "warnings": [],
              "segments": [
                {
                  "from": "2026-03-27T15:00:00Z",
                  "to": "2026-03-27T16:00:00Z",
                  "kind": "counting"
                },
                {
                  "from": "2026-03-27T16:00:00Z",
                  "to": "2026-03-30T07:00:00Z",
                  "kind": "outside_hours"
                },
                {
                  "from": "2026-03-30T07:00:00Z",
                  "to": "2026-03-30T09:00:00Z",
                  "kind": "counting"
                },
                {
                  "from": "2026-03-30T09:00:00Z",
                  "to": "2026-03-31T07:00:00Z",
                  "kind": "paused"
                },
                {
                  "from": "2026-03-31T07:00:00Z",
                  "to": "2026-03-31T10:00:00Z",
                  "kind": "counting"
                },
                {
                  "from": "2026-03-31T10:00:00Z",
                  "to": "2026-03-31T11:00:00Z",
                  "kind": "outside_hours"
                },
                {
                  "from": "2026-03-31T11:00:00Z",
                  "to": "2026-03-31T15:00:00Z",
                  "kind": "counting"
                },
                {
                  "from": "2026-03-31T15:00:00Z",
                  "to": "2026-04-01T07:00:00Z",
                  "kind": "outside_hours"
                },
                {
                  "from": "2026-04-01T07:00:00Z",
                  "to": "2026-04-01T10:00:00Z",
                  "kind": "counting"
                }
              ]
            }
          ]
        }

        """;

    private static (int Code, string Out, string Err) Simulate(string input)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = SlaSimulator.Run(input, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Replaces one JSON value of the example (by a path of property names and array indices).</summary>
    private static string ExampleWith(Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(Example)!;
        edit(node);
        return node.ToJsonString();
    }

    [Fact]
    public void Example_scenario_prints_the_hand_computed_report()
    {
        var (code, output, error) = Simulate(Example);

        error.Should().BeEmpty();
        code.Should().Be(0);
        output.Should().Be(ExpectedOutput.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Running_cycles_print_due_and_projected_warnings_and_a_24_7_calendar_is_accepted()
    {
        var input = """
            {
              "calendar": "24/7",
              "policy": { "targets": { "urgent": { "firstResponse": "P1DT2H" } } },
              "events": [ { "at": "2026-01-01T00:00:00.5Z", "type": "created", "priority": "urgent" } ],
              "now": "2026-01-02T00:00:00.5Z"
            }
            """;
        var (code, output, _) = Simulate(input);

        code.Should().Be(0);
        var clock = JsonNode.Parse(output)!["clocks"]![0]!;
        clock["state"]!.GetValue<string>().Should().Be("running");
        clock["target"]!.GetValue<string>().Should().Be("PT26H");
        clock["counted"]!.GetValue<string>().Should().Be("PT24H");
        clock["dueAt"]!.GetValue<string>().Should().Be("2026-01-02T02:00:00.5Z");
        clock["stoppedAt"].Should().BeNull();
        clock["warnings"]!.ToJsonString().Should().Be("""[{"percent":75,"at":"2026-01-01T19:30:00.5Z"},{"percent":90,"at":"2026-01-01T23:24:00.5Z"}]""");
    }

    [Theory]
    [InlineData(0, "PT0S")]
    [InlineData(3600L * 27 + 1800, "PT27H30M")]
    [InlineData(3605, "PT1H5S")]
    [InlineData(86400L * 3, "PT72H")]
    [InlineData(59, "PT59S")]
    public void Durations_print_hours_minutes_and_seconds_only(long seconds, string expected)
    {
        IsoDuration.Format(Duration.FromSeconds(seconds)).Should().Be(expected);
    }

    [Fact]
    public void Fractional_seconds_are_printed_when_present()
    {
        IsoDuration.Format(Duration.FromMilliseconds(61_250)).Should().Be("PT1M1.25S");
        SlaReportJson.FormatInstant(Instant.FromUtc(2026, 3, 30, 8, 0) + Duration.FromMilliseconds(120)).Should().Be("2026-03-30T08:00:00.12Z");
    }

    [Fact]
    public void Report_dto_carries_the_same_shape_for_the_web_api()
    {
        var scenario = SlaScenarioParser.Parse(Example);
        var dto = SlaReportDto.From(SlaEngine.Evaluate(scenario.Terms, scenario.Events, scenario.Now));

        (System.Text.Json.JsonSerializer.Serialize(dto, SlaReportJson.Options) + "\n").Should().Be(ExpectedOutput.ReplaceLineEndings("\n"));
    }

    public static TheoryData<string, string> BadInputs() => new()
    {
        { "{ \"calendar\": ", "input: invalid JSON at line 1, position 15" },
        { ExampleWith(n => n["calendar"]!["timeZone"] = "Mars/Olympus"), "calendar.timeZone: unknown time zone 'Mars/Olympus'" },
        { ExampleWith(n => n["calendar"]!["week"]!["tuesday"]![1]![0] = "11:00"), "calendar.week.tuesday[1]: overlaps 09:00-12:00" },
        { ExampleWith(n => n["calendar"]!["week"]!["monday"]![0]![1] = "25:00"), "calendar.week.monday[0][1]: bad time '25:00' (expected HH:mm, or 24:00)" },
        { ExampleWith(n => n["calendar"]!["week"]!["monday"]![0]![0] = "24:00"), "calendar.week.monday[0][0]: bad time '24:00' (expected HH:mm)" },
        { ExampleWith(n => n["calendar"]!["week"]!["monday"]![0]![1] = "08:00"), "calendar.week.monday[0]: start 09:00 is not before end 08:00" },
        { ExampleWith(n => n["calendar"]!["week"]!["funday"] = new JsonArray()), "calendar.week.funday: unknown weekday (expected one of monday, tuesday, wednesday, thursday, friday, saturday, sunday)" },
        { ExampleWith(n => n["calendar"]!["holidays"]![0] = "2026-13-01"), "calendar.holidays[0]: bad date '2026-13-01' (expected YYYY-MM-DD)" },
        { ExampleWith(n => n["calendar"] = "9-5"), "calendar: expected \"24/7\" or an object, not '9-5'" },
        { ExampleWith(n => n["policy"]!["targets"]!["high"]!["firstResponse"] = "4 hours"), "policy.targets.high.firstResponse: bad duration '4 hours' (expected ISO-8601 like PT4H or P1DT2H)" },
        { ExampleWith(n => n["policy"]!["targets"]!["high"]!["firstReponse"] = "PT4H"), "policy.targets.high.firstReponse: unknown property" },
        { ExampleWith(n => n["policy"]!["targets"]!["critical"] = new JsonObject()), "policy.targets.critical: unknown priority 'critical' (expected urgent, high, normal or low)" },
        { ExampleWith(n => n["policy"]!["pauseOn"]![1] = "waiting"), "policy.pauseOn[1]: unknown status 'waiting' (expected new, open, pending, on_hold, solved or closed)" },
        { ExampleWith(n => n["policy"]!["pauseOn"]![1] = "solved"), "policy.pauseOn[1]: 'solved' cannot pause a clock (solved and closed stop it; pause on new, open, pending or on_hold)" },
        { ExampleWith(n => n["policy"]!["warnAtPercent"]![0] = 0), "policy.warnAtPercent[0]: expected a whole percentage from 1 to 100, not 0" },
        { ExampleWith(n => n["events"]![4]!["type"] = "foo"), "events[4].type: unknown event type 'foo' (expected created, agent_reply, internal_note, customer_reply, auto_reply, status or priority)" },
        { ExampleWith(n => n["events"]![3]!["at"] = "2026-03-30T07:00:00Z"), "events[3]: at 2026-03-30T07:00:00Z is before the previous event at 2026-03-30T08:00:00Z" },
        {
            ExampleWith(n =>
            {
                n["events"]![6]!["status"] = "closed";
                n["events"]!.AsArray().Add(JsonNode.Parse("""{ "at": "2026-04-01T11:00:00Z", "type": "customer_reply" }"""));
            }),
            "events[7]: the ticket was closed by events[6]; closed is final"
        },
        { ExampleWith(n => n["events"]![0]!.AsObject().Remove("priority")), "events[0].priority: missing" },
        { ExampleWith(n => n["events"]![5]!["priority"] = "asap"), "events[5].priority: unknown priority 'asap' (expected urgent, high, normal or low)" },
        { ExampleWith(n => n["events"]![3]!["status"] = "parked"), "events[3].status: unknown status 'parked' (expected new, open, pending, on_hold, solved or closed)" },
        { ExampleWith(n => n["events"]![2]!["at"] = "yesterday"), "events[2].at: bad instant 'yesterday' (expected ISO-8601 like 2026-03-27T15:00:00Z)" },
        { ExampleWith(n => n["events"]![1]!["type"] = "created"), "events[1].priority: missing" },
        { ExampleWith(n => n["events"]![0] = JsonNode.Parse("""{ "at": "2026-03-27T15:00:00Z", "type": "agent_reply" }""")), "events[0]: the first event must be created, not agent_reply" },
        { ExampleWith(n => n.AsObject().Remove("now")), "now: missing" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_exits_with_2_and_one_line_naming_the_field(string input, string expectedError)
    {
        var (code, output, error) = Simulate(input);

        code.Should().Be(2);
        output.Should().BeEmpty();
        error.Should().Be(expectedError + Environment.NewLine);
    }
}
