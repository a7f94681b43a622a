using HelpDesk.Domain.Sla;

namespace HelpDesk.Application.Sla.Simulation;

/// <summary><c>helpdesk sla simulate FILE.json</c>: runs the SLA engine on a scenario and prints the report JSON.</summary>
public static class SlaSimulator
{
    /// <summary>Exit code for success.</summary>
    public const int Ok = 0;

    /// <summary>Exit code for bad input: exactly one line on stderr, nothing on stdout.</summary>
    public const int BadInput = 2;

    /// <summary>The one simulation (the CLI's and <c>POST /api/v1/sla/simulate</c>'s): parse the scenario, run the engine.</summary>
    /// <exception cref="SlaScenarioException">bad input, naming the field.</exception>
    public static SlaReport Simulate(string inputJson)
    {
        var scenario = SlaScenarioParser.Parse(inputJson);
        return SlaEngine.Evaluate(scenario.Terms, scenario.Events, scenario.Now);
    }

    /// <summary>
    /// Parses <paramref name="inputJson"/>, evaluates it and writes the report JSON to <paramref name="stdout"/>.
    /// Bad input writes one line naming the field to <paramref name="stderr"/> and returns <see cref="BadInput"/>.
    /// Anything else is a bug and propagates.
    /// </summary>
    public static int Run(string inputJson, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string output;
        try
        {
            // Serialise before writing anything, so a failure never leaves half a document on stdout.
            output = SlaReportJson.Serialize(Simulate(inputJson));
        }
        catch (SlaScenarioException e)
        {
            stderr.WriteLine(e.Message);
            return BadInput;
        }

        stdout.Write(output);
        stdout.Write('\n');
        return Ok;
    }
}
