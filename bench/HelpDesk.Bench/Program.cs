using HelpDesk.Bench;

// One subcommand per benchmark; each lives in its own file. Those named in issue 18 run on a provider dimension
// (--provider sqlite|postgresql|both, default both) and end with one table of their figures side by side.
var onProvider = new Dictionary<string, Func<BenchProvider, string[], Task<int>>>(StringComparer.Ordinal)
{
    ["mail-ingest"] = (p, _) => MailBench.IngestAsync(p),
    ["recompute"] = (p, _) => RecomputeBench.RunAsync(p),
    ["reporting"] = ReportingBench.RunAsync,
    ["due-latency"] = (p, _) => DueLatencyBench.RunAsync(p),
    ["mailgate-http"] = MailgateHttpBench.RunAsync,
    ["search"] = SearchBench.RunAsync,
    ["sign-in-burst"] = SignInBurstBench.RunAsync,
    ["fuzz-mail"] = MailFuzzBench.RunAsync,
    ["fault-db"] = FaultDbBench.RunAsync,
};
var sqliteOnly = new Dictionary<string, Func<int>>(StringComparer.Ordinal)
{
    ["business-time"] = BusinessTimeBench.Run,
    ["console-fanout"] = ConsoleFanoutBench.Run,
    ["mail-latency"] = MailBench.Latency,
    ["mailgate-process"] = MailBench.MailgateProcess,
    ["breach-list"] = BreachListBench.Run,
    ["fidelity"] = FidelityReport.Run,
};

var usage = $"usage: dotnet run -c Release --project bench/HelpDesk.Bench -- <all|{string.Join("|", onProvider.Keys)}> [--provider sqlite|postgresql|both] " +
            $"[--tickets N (reporting)] [--count N] [--probe] (mailgate-http)\n       or <{string.Join("|", sqliteOnly.Keys)}> (SQLite; fidelity needs no database)";
if (args.Length == 0) { Console.Error.WriteLine(usage); return 2; }
if (sqliteOnly.TryGetValue(args[0], out var single)) return single();

var names = args[0] == "all" ? onProvider.Keys.ToList() : onProvider.ContainsKey(args[0]) ? [args[0]] : null;
var rest = args[1..].ToList();
var providerChoice = "both";
if (rest.IndexOf("--provider") is var at and >= 0)
{
    if (at + 1 >= rest.Count) { Console.Error.WriteLine(usage); return 2; }
    providerChoice = rest[at + 1].ToLowerInvariant();
    rest.RemoveRange(at, 2);
}
if (names is null || providerChoice is not ("sqlite" or "postgresql" or "both")) { Console.Error.WriteLine(usage); return 2; }

Console.WriteLine($"load average at start: {File.ReadAllText("/proc/loadavg").Trim()} ({Environment.ProcessorCount} cores)");
var providers = new List<BenchProvider>();
var status = 0;
try
{
    if (providerChoice is "sqlite" or "both") providers.Add(BenchProvider.Sqlite());
    if (providerChoice is "postgresql" or "both") providers.Add(BenchProvider.PostgreSql());
    // Benchmark by benchmark, each on every provider in turn: the providers' figures are taken under the same load.
    foreach (var name in names)
        foreach (var provider in providers)
        {
            Console.WriteLine($"== {name} on {provider.Name}");
            var code = await onProvider[name](provider, rest.ToArray());
            if (code == 2) return 2;
            status |= code;
        }
}
finally
{
    foreach (var provider in providers) await provider.DisposeAsync();
}
Figures.PrintTable(providers.Select(p => p.Name).ToList());
Console.WriteLine($"load average at end: {File.ReadAllText("/proc/loadavg").Trim()}");
return status;
