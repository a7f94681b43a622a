using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace HelpDesk.Console.Tests.Browser;

/// <summary>
/// Answers shaped exactly like the agreed report API contracts (docs/console.md), served to the browser by intercepting
/// its requests: the chart geometry is asserted against figures chosen here, which the real API cannot be told to produce.
/// </summary>
internal static class ReportFixtures
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public const string Script = "<img src=x onerror=\"window.__pwned=1\"><script>window.__pwned=2</script>";

    /// <summary>Serves <paramref name="body"/> for GETs matching <paramref name="pattern"/>; returns the requests seen.</summary>
    public static async Task<List<IRequest>> ServeAsync(IPage page, string pattern, Func<IRequest, object> body)
    {
        var seen = new List<IRequest>();
        await page.RouteAsync(new Regex(pattern), async route =>
        {
            lock (seen) seen.Add(route.Request);
            await route.FulfillAsync(new RouteFulfillOptions { Status = 200, ContentType = "application/json", Body = JsonSerializer.Serialize(body(route.Request), Json) });
        });
        return seen;
    }

    public static object Metrics() => new
    {
        from = "2026-02-02", to = "2026-03-01", timeZone = "Europe/Berlin",
        firstResponse = Clock(40, 1_800_000, 7_200_000, 5_400_000, 36_000_000, 36, 40),
        nextReply = Clock(25, 3_600_000, 10_800_000, 7_200_000, 50_000_000, 20, 25),
        resolution = Clock(30, 14_400_000, 43_200_000, 86_400_000, 259_200_000, 24, 30),
        firstContactResolution = new { solved = 30, firstContact = 12, rate = 0.4 },
        resolutionRate = new { created = 40, solved = 30, rate = 0.75 },
        backlog = new
        {
            total = 20,
            byTeam = new[] { new { teamId = Guid.NewGuid(), team = "support", count = 20 } },
            byPriority = new { urgent = 2, high = 5, normal = 10, low = 3 },
            bySlaState = new { breached = 3, atRisk = 2, onTrack = 10, paused = 1, noSla = 4 },
        },
        csat = new { answers = 10, satisfied = 8, score = 0.8 },
        nps = new { answers = 10, promoters = 5, passives = 3, detractors = 2, score = 30.0 },
        ces = new { answers = 10, mean = 5.5, distribution = new[] { 0, 0, 1, 1, 2, 3, 3 } },
        weekly = new object[]
        {
            Week("2026-02-02", 1.0, 0.5, 0.25), Week("2026-02-09", 0.5, 1.0, 0.75),
            Week("2026-02-16", 0.75, 0.25, 1.0), Week("2026-02-23", null, 0.5, 0.5),
        },
        frtDistribution = new object[]
        {
            new { label = "< 1h", upToMs = 3_600_000L, count = 8 }, new { label = "1–4h", upToMs = 14_400_000L, count = 4 },
            new { label = "4–8h", upToMs = 28_800_000L, count = 2 }, new { label = "8–24h", upToMs = 86_400_000L, count = 1 },
            new { label = "≥ 24h", upToMs = (long?)null, count = 0 },
        },
    };

    private static object Clock(int count, long median, long p90, long calMedian, long calP90, int met, int stopped) => new
    {
        count,
        business = new { meanMs = median, medianMs = median, p90Ms = p90 },
        calendar = new { meanMs = calMedian, medianMs = calMedian, p90Ms = calP90 },
        attainment = new { met, stopped, rate = (double)met / stopped },
    };

    private static object Week(string start, double? fr, double nr, double res)
    {
        object Att(double? rate) => new { met = rate is null ? 0 : (int)(rate * 4), stopped = rate is null ? 0 : 4, rate };
        return new { weekStart = start, firstResponse = Att(fr), nextReply = Att(nr), resolution = Att(res) };
    }

    public static object Scorecards()
    {
        object Row(string name, string email, int solved, long? frtMedian, double? fcr, int breaches) => new
        {
            agentId = Guid.NewGuid(), name, email, solved,
            firstResponse = new { count = solved, meanMs = frtMedian, medianMs = frtMedian, p90Ms = frtMedian * 2 },
            resolution = new { count = solved, meanMs = frtMedian * 10, medianMs = frtMedian * 10, p90Ms = frtMedian * 20 },
            firstContactResolution = new { solved, firstContact = (int)(solved * (fcr ?? 0)), rate = fcr },
            csat = new { answers = solved == 0 ? 0 : 4, satisfied = solved == 0 ? 0 : 3, score = solved == 0 ? (double?)null : 0.75 },
            breaches,
        };
        return new
        {
            from = "2026-02-02", to = "2026-03-01",
            agents = new[]
            {
                Row("Ann", "ann@desk.test", 5, 1_800_000, 0.6, 1),
                Row("Ben", "ben@desk.test", 12, 3_600_000, 0.25, 4),
                Row(Script, "cy@desk.test", 0, null, null, 0),
            },
            teams = new[]
            {
                new { teamId = Guid.NewGuid(), team = "support", solved = 17,
                    firstResponse = new { count = 17, meanMs = 2_700_000L, medianMs = 2_700_000L, p90Ms = 5_400_000L },
                    resolution = new { count = 17, meanMs = 27_000_000L, medianMs = 27_000_000L, p90Ms = 54_000_000L },
                    firstContactResolution = new { solved = 17, firstContact = 6, rate = 6 / 17.0 },
                    csat = new { answers = 8, satisfied = 6, score = 0.75 }, breaches = 5 },
            },
        };
    }

    public static readonly Guid Support = Guid.Parse("6a0e8f9e-56f1-4c1b-9d55-3c4a3e1f0001");
    public static readonly Guid Dana = Guid.Parse("6a0e8f9e-56f1-4c1b-9d55-3c4a3e1f0002");

    /// <summary>
    /// A resolution breach: Dana held the ticket for 3h 10m of counting, it then waited 50m in the team (breaching at 4h),
    /// with a pause and a night between; the clock ran on 1h 10m past the target before the solve stopped it.
    /// </summary>
    public static object Breach(int number, string subject, string agent = "Dana", object? acknowledgement = null) => new
    {
        ticketNumber = number, subject, team = new { id = Support, name = "support" }, metric = "resolution", cycle = 1, priority = "high",
        state = "breached", targetMs = 14_400_000L, countedMs = 18_600_000L, overrunMs = 4_200_000L,
        startedAt = "2026-02-10T08:00:00Z", breachedAt = "2026-02-11T08:50:00Z", stoppedAt = "2026-02-11T10:00:00Z",
        attributedTo = new { teamId = Support, team = "support", agentId = (Guid?)Dana, agent = (string?)agent },
        shares = new object[]
        {
            new { teamId = Support, team = "support", agentId = (Guid?)null, agent = (string?)null, countedMs = 3_000_000L },
            new { teamId = Support, team = "support", agentId = (Guid?)Dana, agent = (string?)agent, countedMs = 11_400_000L },
        },
        segments = new object[]
        {
            new { from = "2026-02-10T08:00:00Z", to = "2026-02-10T11:10:00Z", kind = "counting" },
            new { from = "2026-02-10T11:10:00Z", to = "2026-02-10T13:10:00Z", kind = "paused" },
            new { from = "2026-02-10T13:10:00Z", to = "2026-02-11T08:00:00Z", kind = "outside_hours" },
            new { from = "2026-02-11T08:00:00Z", to = "2026-02-11T10:00:00Z", kind = "counting" },
            new { from = "2026-02-11T10:00:00Z", to = "2026-02-11T12:00:00Z", kind = "stopped" },
        },
        acknowledgement,
    };

    public static object Page(params object[] items) => new { total = items.Length, page = 1, pageSize = 50, items };
}
