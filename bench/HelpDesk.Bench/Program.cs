using HelpDesk.Bench;

// One subcommand per benchmark; each lives in its own file with a static Run() returning the exit code.
var benchmarks = new Dictionary<string, Func<int>>(StringComparer.Ordinal)
{
    ["reporting"] = () => ReportingBench.Run(args[1..]),
    ["business-time"] = BusinessTimeBench.Run,
    ["recompute"] = RecomputeBench.Run,
    ["due-latency"] = DueLatencyBench.Run,
    ["console-fanout"] = ConsoleFanoutBench.Run,
    ["mail-ingest"] = MailBench.Ingest,
    ["mail-latency"] = MailBench.Latency,
    ["mailgate-process"] = MailBench.MailgateProcess,
    ["breach-list"] = BreachListBench.Run,
};

if (args.Length == 0 || !benchmarks.TryGetValue(args[0], out var run))
{
    Console.Error.WriteLine($"usage: dotnet run -c Release --project bench/HelpDesk.Bench -- <{string.Join("|", benchmarks.Keys)}>");
    return 2;
}

return run();
