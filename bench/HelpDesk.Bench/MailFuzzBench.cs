using System.Diagnostics;
using HelpDesk.Application.Configuration.PutSlaPolicy;
using HelpDesk.Application.Mail;
using HelpDesk.Application.Persistence;
using HelpDesk.Mail;
using HelpDesk.Mail.Inbound;
using HelpDesk.Mail.Tests.Infrastructure;
using HelpDesk.Web.Cli;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HelpDesk.Bench;

/// <summary>
/// <c>fuzz-mail [--count N] [--seed S]</c>: N hostile variants of <c>../shared/corpus/mime</c> (<see cref="MimeMutator"/>)
/// through the mailgate's pipeline, one message at a time as the mailgate hands them over. Counts unhandled exceptions,
/// hangs (past twice the parse timeout plus 30 s), messages not stored or left unprocessed and quarantines without a
/// reason (all must be 0), and prints the outcomes and the slowest message. Figures go into docs/reliability.md.
/// </summary>
internal static class MailFuzzBench
{
    public static async Task<int> RunAsync(BenchProvider provider, string[] args)
    {
        var count = Option(args, "--count", 10_000);
        var seed = Option(args, "--seed", 20261205);
        var mutator = new MimeMutator(MimeMutator.Load(Path.Combine(Directory.GetParent(MailBench.RepositoryRoot())!.FullName, "shared", "corpus", "mime")), seed);

        await using var database = await BenchDatabase.CreateMigratedAsync(provider);
        foreach (var (key, value) in database.Settings) Environment.SetEnvironmentVariable(key.Replace(":", "__"), value);
        Environment.SetEnvironmentVariable("HelpDesk__Mail__SystemAddress", "support@helpdesk.test");
        Environment.SetEnvironmentVariable("HelpDesk__Mail__AutoAnswersPerHour", "1000000");
        await MailBench.ConfigureDeskAsync(new TargetsBody("PT4H", "PT8H", "PT24H"), twentyFourSeven: true);
        await using var services = CliServices.Build((s, c) => s.AddHelpDeskMailIngestion(c));

        var hang = TimeSpan.FromSeconds(2 * new MailOptions().ParseTimeoutSeconds + 30);
        var outcomes = new Dictionary<string, int>();
        var problems = new List<string>();
        int exceptions = 0, hangs = 0, unaccounted = 0;
        var slowest = (Ms: 0.0, Index: -1, Kinds: "");
        long bytes = 0;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            var (raw, kinds) = mutator.Mutant(i);
            bytes += raw.LongLength;
            var mailbox = $"fuzz-{i}";
            var one = Stopwatch.StartNew();
            try
            {
                await using var scope = services.CreateAsyncScope();
                var outcome = await scope.ServiceProvider.GetRequiredService<MailIngestor>().IngestAsync(mailbox, raw, "fuzz", CancellationToken.None).WaitAsync(hang);
                outcomes[outcome.Outcome] = outcomes.GetValueOrDefault(outcome.Outcome) + 1;
                var db = scope.ServiceProvider.GetRequiredService<HelpDeskDbContext>();
                var stored = await db.Set<InboundMail>().AsNoTracking().Where(m => m.Mailbox == mailbox).Select(m => new { m.State, Length = m.Raw.Length }).SingleOrDefaultAsync();
                if (stored is null || stored.State == InboundState.Stored || stored.Length != raw.Length
                    || (outcome.Outcome == MailOutcome.Quarantined && string.IsNullOrWhiteSpace(outcome.Reason)))
                {
                    unaccounted++;
                    problems.Add($"#{i} ({kinds}): {(stored is null ? "not stored" : stored.State.ToString())} {outcome.Outcome} {outcome.Reason}");
                }
            }
            catch (TimeoutException)
            {
                hangs++;
                problems.Add($"#{i} ({kinds}): no answer within {hang.TotalSeconds:F0} s");
            }
            catch (Exception ex)
            {
                exceptions++;
                problems.Add($"#{i} ({kinds}): {ex.GetType().Name}: {ex.Message}");
            }
            if (one.Elapsed.TotalMilliseconds > slowest.Ms) slowest = (one.Elapsed.TotalMilliseconds, i, kinds);
            if ((i + 1) % 1000 == 0) Console.WriteLine($"  {i + 1} messages, {total.Elapsed.TotalSeconds:F0} s");
        }
        Console.WriteLine($"seed {seed}: {count} mutated messages ({bytes / 1024.0 / 1024:F1} MiB) from {MimeMutator.Kinds.Length} mutation kinds, in {total.Elapsed.TotalSeconds:F1} s");
        Console.WriteLine($"unhandled exceptions: {exceptions}   hangs: {hangs}   not stored/unprocessed/quarantined without reason: {unaccounted}");
        Console.WriteLine($"outcomes: {string.Join(", ", outcomes.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}"))}");
        Console.WriteLine($"slowest message: #{slowest.Index} ({slowest.Kinds}) {slowest.Ms:F0} ms; mean {total.Elapsed.TotalMilliseconds / count:F1} ms");
        foreach (var p in problems.Take(20)) Console.WriteLine($"  {p}");
        Figures.Add(provider, "fuzz-mail: exceptions / hangs / unaccounted", $"{exceptions} / {hangs} / {unaccounted} of {count}");
        foreach (var key in database.Settings.Keys) Environment.SetEnvironmentVariable(key.Replace(":", "__"), null);
        return exceptions + hangs + unaccounted == 0 ? 0 : 1;
    }

    private static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var at and >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var v) ? v : fallback;
}
