using HelpDesk.Application.Agents.CreateAgent;
using HelpDesk.Application.Configuration.PutCalendar;
using HelpDesk.Application.Configuration.PutSlaPolicy;
using HelpDesk.Application.Persistence;
using HelpDesk.Application.Teams.CreateTeam;
using HelpDesk.Domain.Agents;
using HelpDesk.Domain.Customers;
using HelpDesk.Domain.Sla;
using HelpDesk.Domain.Teams;
using Mediator;
using Microsoft.EntityFrameworkCore;
using NodaTime;

namespace HelpDesk.BulkData;

/// <summary>One seeded team: its office calendar (agents answer in its hours) and its people.</summary>
public sealed record BulkTeam(Team Team, BusinessCalendar Office, Agent Lead, IReadOnlyList<Agent> Agents, double Share);

/// <summary>
/// The people and configuration bulk tickets are written against: four teams in four time zones with office-hours
/// calendars (and public holidays), a 24/7 calendar for urgent tickets, an SLA policy per team with targets per
/// priority, leads, agents, an admin and customers in organisations. What exists already (by name or e-mail) is
/// reused, so seeding twice adds tickets, not a second desk. Teams, calendars, policies and agents go through the
/// same commands the API uses; customers, which can be hundreds of thousands, are bulk-inserted.
/// </summary>
public static class BulkDesk
{
    public const string AdminEmail = "admin@bulk.helpdesk.test";
    public const string Domain = "bulk.helpdesk.test";
    public const string UrgentPolicy = "bulk-urgent-24x7";

    private sealed record TeamSpec(string Name, string Display, string Calendar, string Zone, string Open, string Close,
        string[] Holidays, double Share, (string Fr, string Nr, string Res)[] Targets);

    // Targets per priority (urgent, high, normal, low) in business time of the team's calendar.
    private static readonly TeamSpec[] Teams =
    [
        new("support", "Support", "office-berlin", "Europe/Berlin", "08:00", "18:00", ["01-01", "05-01", "10-03", "12-24", "12-25", "12-26", "12-31"], 0.40,
            [("PT1H", "PT2H", "PT8H"), ("PT4H", "PT6H", "PT24H"), ("PT8H", "PT12H", "PT40H"), ("PT16H", "PT24H", "PT80H")]),
        new("billing", "Billing", "office-new-york", "America/New_York", "09:00", "17:00", ["01-01", "07-04", "11-26", "12-25"], 0.25,
            [("PT1H", "PT2H", "PT8H"), ("PT4H", "PT8H", "PT24H"), ("PT8H", "PT16H", "PT40H"), ("PT24H", "PT24H", "PT80H")]),
        new("technical", "Technical", "office-tokyo", "Asia/Tokyo", "09:00", "18:00", ["01-01", "01-02", "01-03", "05-03", "05-05", "12-31"], 0.25,
            [("PT2H", "PT4H", "PT16H"), ("PT4H", "PT8H", "PT32H"), ("PT8H", "PT16H", "PT64H"), ("PT24H", "PT32H", "PT120H")]),
        new("onboarding", "Onboarding", "office-sydney", "Australia/Sydney", "08:30", "17:00", ["01-01", "01-26", "04-25", "12-25", "12-26"], 0.10,
            [("PT2H", "PT4H", "PT16H"), ("PT4H", "PT8H", "PT24H"), ("PT8H", "PT12H", "PT40H"), ("PT16H", "PT24H", "PT80H")]),
    ];

    private static readonly string[] FirstNames =
    [
        "Anna", "Ben", "Chloe", "David", "Elif", "Felix", "Greta", "Hiro", "Ines", "Jonas", "Kara", "Liam", "Mia", "Noah", "Olga",
        "Paul", "Quinn", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen", "Xavier", "Yuki", "Zoe", "Amir", "Bea", "Carlos", "Dana",
        "Emil", "Fatima", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Marco", "Nina", "Omar", "Pia", "Raj", "Sofia", "Tom",
    ];

    private static readonly string[] LastNames =
    [
        "Schmidt", "Miller", "Tanaka", "Nguyen", "Garcia", "Rossi", "Kowalski", "Dubois", "Jensen", "Silva", "Kim", "Okafor",
        "Novak", "Andersson", "Brown", "Cohen", "Fischer", "Ivanova", "Lopez", "Murphy", "Patel", "Sato", "Weber", "Young",
    ];

    private static readonly string[] Companies =
    [
        "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Wonka", "Tyrell", "Cyberdyne", "Soylent",
        "Aperture", "Oscorp", "Nakatomi", "Gringotts", "Monarch", "Pied Piper", "Dunder", "Sterling", "Prestige", "Massive Dynamic",
    ];

    private static readonly string[] CompanySuffixes = ["GmbH", "Inc", "Ltd", "AG", "BV", "KK", "Pty Ltd", "SAS"];

    /// <summary>Creates what is missing and returns the teams tickets are written to, with their people.</summary>
    /// <param name="ticketsPerDay">Sizes the staff: roughly twenty tickets per agent and working day.</param>
    public static async Task<IReadOnlyList<BulkTeam>> EnsureAsync(HelpDeskDbContext db, IMediator mediator, double ticketsPerDay, string? password,
        Instant now, CancellationToken ct)
    {
        var year = now.InUtc().Year;
        if (!await db.Agents.AnyAsync(a => a.Email == AdminEmail, ct))
            await mediator.Send(new CreateAgent(AdminEmail, "Bulk Admin", "admin", [], password), ct);
        if (!await db.CalendarVersions.AnyAsync(c => c.Name == "always", ct))
            await mediator.Send(new PutCalendar("always", new CalendarBody("UTC", null, null, TwentyFourSeven: true)), ct);
        if (!await db.SlaPolicyVersions.AnyAsync(p => p.Name == UrgentPolicy, ct))
            await mediator.Send(new PutSlaPolicy(UrgentPolicy, new PolicyBody(2, "always", new ConditionsBody(["urgent"], null, null, null, null),
                new Dictionary<string, TargetsBody> { ["urgent"] = new("PT1H", "PT2H", "PT8H") }, null, null)), ct);

        var result = new List<BulkTeam>();
        var names = 0;
        for (var i = 0; i < Teams.Length; i++)
        {
            var spec = Teams[i];
            if (!await db.Teams.AnyAsync(t => t.Name == spec.Name, ct))
                await mediator.Send(new CreateTeam(spec.Name, spec.Display), ct);
            if (!await db.CalendarVersions.AnyAsync(c => c.Name == spec.Calendar, ct))
            {
                var hours = new List<List<string>> { new() { spec.Open, spec.Close } };
                var week = new[] { "monday", "tuesday", "wednesday", "thursday", "friday" }.ToDictionary(d => d, _ => hours);
                var holidays = Enumerable.Range(year - 2, 4).SelectMany(y => spec.Holidays.Select(md => $"{y}-{md}")).ToList();
                await mediator.Send(new PutCalendar(spec.Calendar, new CalendarBody(spec.Zone, week, holidays)), ct);
            }
            var policy = $"{spec.Name}-office";
            if (!await db.SlaPolicyVersions.AnyAsync(p => p.Name == policy, ct))
            {
                var targets = new[] { "urgent", "high", "normal", "low" }.Select((p, k) => (p, k))
                    .ToDictionary(x => x.p, x => new TargetsBody(spec.Targets[x.k].Fr, spec.Targets[x.k].Nr, spec.Targets[x.k].Res));
                await mediator.Send(new PutSlaPolicy(policy, new PolicyBody(3 + i, spec.Calendar,
                    new ConditionsBody(null, [spec.Name], null, null, null), targets, null, null)), ct);
            }

            var agentCount = Math.Clamp((int)Math.Ceiling(ticketsPerDay * spec.Share / 20), 3, 60);
            var people = new List<(string Email, string Name, string Role)>();
            for (var k = 0; k <= agentCount; k++, names++)
            {
                var first = FirstNames[names % FirstNames.Length];
                var last = LastNames[(names / FirstNames.Length + names * 7) % LastNames.Length];
                var role = k == 0 ? "lead" : "agent";
                people.Add(($"{first}.{last}.{spec.Name}{k}@{Domain}".ToLowerInvariant(), $"{first} {last}", role));
            }
            foreach (var (email, name, role) in people.Where((_, k) => k <= 1))
                if (!await db.Agents.AnyAsync(a => a.Email == email, ct))
                    await mediator.Send(new CreateAgent(email, name, role, [spec.Name], password), ct);
            // Only the lead and one agent per team can sign in: hashing a password for every agent would cost seconds.
            foreach (var (email, name, role) in people.Skip(2))
                if (!await db.Agents.AnyAsync(a => a.Email == email, ct))
                    await mediator.Send(new CreateAgent(email, name, role, [spec.Name], null), ct);

            var team = await db.Teams.AsNoTracking().SingleAsync(t => t.Name == spec.Name, ct);
            var emails = people.Select(p => p.Email).ToList();
            var agents = (await db.Agents.AsNoTracking().Where(a => emails.Contains(a.Email)).ToListAsync(ct))
                .Where(a => a.IsActive && a.IsMemberOf(team.Id)).ToList();
            var lead = agents.FirstOrDefault(a => a.Email == people[0].Email) ?? agents[0];
            var calendar = (await db.CalendarVersions.AsNoTracking().Where(c => c.Name == spec.Calendar).OrderByDescending(c => c.Version)
                .FirstAsync(ct)).Calendar;
            result.Add(new BulkTeam(team, calendar, lead, agents.Where(a => a.Id != lead.Id).ToList(), spec.Share));
        }
        return result;
    }

    /// <summary>
    /// <paramref name="count"/> customers, two in three in an organisation (about fifteen people each), the existing
    /// ones (same address) reused; the new ones are inserted in bulk in the caller's transaction.
    /// </summary>
    public static async Task<IReadOnlyList<Customer>> EnsureCustomersAsync(HelpDeskDbContext db, int count, System.Data.Common.DbTransaction tx,
        CancellationToken ct)
    {
        var organisations = Math.Max(3, count / 15);
        var wanted = new List<Customer>(count);
        for (var i = 0; i < count; i++)
        {
            var first = FirstNames[i % FirstNames.Length];
            var last = LastNames[i / FirstNames.Length % LastNames.Length];
            string? organisation = null;
            var host = "mail.example";
            if (i % 3 != 0)
            {
                var o = (int)((long)i * 7919 % organisations);
                var company = Companies[o % Companies.Length];
                organisation = $"{company} {CompanySuffixes[o / Companies.Length % CompanySuffixes.Length]}{(o >= Companies.Length * CompanySuffixes.Length ? $" {o}" : "")}";
                host = $"{company.Replace(" ", "").ToLowerInvariant()}{o}.example";
            }
            wanted.Add(new Customer(Guid.CreateVersion7(), $"{first}.{last}.{i}@{host}".ToLowerInvariant(), $"{first} {last}", organisation));
        }
        var existing = (await db.Customers.AsNoTracking().Where(c => c.Email.EndsWith(".example")).ToListAsync(ct))
            .ToDictionary(c => c.Email, StringComparer.Ordinal);
        await using var writer = new BulkWriter<Customer>(db) { Transaction = tx };
        var customers = new List<Customer>(count);
        foreach (var customer in wanted)
        {
            if (existing.TryGetValue(customer.Email, out var known)) customers.Add(known);
            else
            {
                await writer.AddAsync(customer, ct);
                customers.Add(customer);
            }
        }
        await writer.FlushAsync(ct);
        return customers;
    }
}
