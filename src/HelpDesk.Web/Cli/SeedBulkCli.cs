using System.Globalization;
using FluentValidation;
using FluentValidation.Results;
using HelpDesk.BulkData;
using HelpDesk.Application.Surveys;
using HelpDesk.Web.Hosting;

namespace HelpDesk.Web.Cli;

/// <summary><c>helpdesk seed-bulk --tickets N [--days D] [--seed S]</c>: a realistic history for trying and measuring the leads' views.</summary>
public static class SeedBulkCli
{
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = CliArgs.Parse(args, new HashSet<string> { "tickets", "days", "seed" });
        if (a.Words.Count > 0) throw new CliUsageException($"unexpected argument '{a.Words[0]}'");
        var tickets = Number(a, "tickets", null, 1, BulkSeedOptions.MaxTickets);
        var days = Number(a, "days", BulkSeedOptions.DefaultDays(tickets), 1, 3650);
        var seed = Number(a, "seed", 1, int.MinValue, int.MaxValue);

        await using var services = await CliServices.BuildMigratedAsync();
        await using var scope = services.CreateAsyncScope();
        var seeder = scope.ServiceProvider.GetRequiredService<BulkSeeder>();
        var bar = new ProgressBar(stderr, interactive: ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected);
        var validity = services.GetRequiredService<IConfiguration>().GetValue($"{SurveyOptions.Section}:{nameof(SurveyOptions.ValidityDays)}", 30.0);
        var result = await seeder.SeedAsync(new BulkSeedOptions(tickets, days, seed, DemoData.DemoPassword, validity), bar, CancellationToken.None);
        bar.Finish();
        await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"seeded {result.Tickets:N0} tickets #{result.FirstNumber}-#{result.LastNumber} over {days} days for {result.Customers:N0} customers: " +
            $"{result.Open:N0} open, {result.BreachedCycles:N0} breached cycles, {result.Alerts:N0} past alerts, {result.SurveysAnswered:N0} surveys answered; {result.Rows:N0} rows in " +
            $"{result.Elapsed.TotalSeconds:N1} s ({result.TicketsPerSecond:N0} tickets/s; generating {result.Generate.TotalSeconds:N1} s, " +
            $"writing {result.Write.TotalSeconds:N1} s; desk set-up {result.Setup.TotalSeconds:N1} s). " +
            $"Sign in as {BulkDesk.AdminEmail} (demo password)."));
        return 0;
    }

    /// <summary>A whole-number option in range, else one clear line (exit 2).</summary>
    private static int Number(CliArgs a, string name, int? fallback, int min, int max)
    {
        var text = a.Option(name);
        if (text is null && fallback is { } value) return value;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max) return parsed;
        throw new ValidationException([new ValidationFailure(name, text is null
            ? $"--{name} is required (a whole number from {min:N0} to {max:N0})."
            : string.Create(CultureInfo.InvariantCulture, $"--{name} must be a whole number from {min:N0} to {max:N0}, not '{text}'."))]);
    }

    /// <summary>
    /// Progress on stderr: one line redrawn in place on a terminal; otherwise (CI, a pipe) a plain line per tenth, so a
    /// log stays readable.
    /// </summary>
    private sealed class ProgressBar(TextWriter stderr, bool interactive) : IProgress<BulkProgress>
    {
        private const int Width = 30;
        private int _lastTenth = -1;
        private bool _drawn;

        public void Report(BulkProgress p)
        {
            var share = p.Total == 0 ? 1 : (double)p.Done / p.Total;
            var rate = p.Done / Math.Max(p.Elapsed.TotalSeconds, 1e-3);
            var eta = rate > 0 ? TimeSpan.FromSeconds((p.Total - p.Done) / rate) : TimeSpan.Zero;
            if (interactive)
            {
                var filled = (int)(share * Width);
                stderr.Write(string.Create(CultureInfo.InvariantCulture,
                    $"\r[{new string('#', filled)}{new string('.', Width - filled)}] {share,4:P0} {p.Done:N0}/{p.Total:N0} tickets, {rate:N0}/s, {eta:mm\\:ss} left "));
                _drawn = true;
                return;
            }
            var tenth = (int)(share * 10);
            if (tenth == _lastTenth) return;
            _lastTenth = tenth;
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seed-bulk: {share:P0} ({p.Done:N0}/{p.Total:N0} tickets, {rate:N0}/s)"));
        }

        public void Finish()
        {
            if (_drawn) stderr.WriteLine();
        }
    }
}
