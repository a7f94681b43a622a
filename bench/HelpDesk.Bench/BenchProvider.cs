using System.Diagnostics;

namespace HelpDesk.Bench;

/// <summary>
/// A database provider the benchmarks run on: SQLite (a file in the temp folder per benchmark) or PostgreSQL (a database
/// per benchmark on the server <c>HELPDESK_BENCH_POSTGRES</c> names by an admin connection string, else on a throwaway
/// server started by <c>scripts/postgres</c>, the same one the tests use, stopped on dispose).
/// </summary>
internal sealed class BenchProvider : IAsyncDisposable
{
    public const string PostgresVariable = "HELPDESK_BENCH_POSTGRES";

    private readonly string? _serverDirectory;

    private BenchProvider(string name, string setting, string? admin, string? serverDirectory)
    {
        Name = name;
        Setting = setting;
        AdminConnectionString = admin;
        _serverDirectory = serverDirectory;
    }

    /// <summary>As printed: SQLite, PostgreSQL.</summary>
    public string Name { get; }

    /// <summary>The value of <c>HelpDesk:Database:Provider</c>.</summary>
    public string Setting { get; }

    /// <summary>PostgreSQL's admin connection string (null for SQLite).</summary>
    public string? AdminConnectionString { get; }

    public bool IsSqlite => AdminConnectionString is null;

    public static BenchProvider Sqlite() => new("SQLite", "Sqlite", null, null);

    public static BenchProvider PostgreSql()
    {
        if (Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } admin)
            return new BenchProvider("PostgreSQL", "PostgreSql", admin, null);
        var lines = Script("start");
        if (lines.Length < 2) throw new InvalidOperationException("scripts/postgres start printed no connection string and folder.");
        Console.WriteLine($"PostgreSQL: a throwaway server (scripts/postgres) at {lines[0]}");
        return new BenchProvider("PostgreSQL", "PostgreSql", lines[0], lines[1]);
    }

    /// <summary>Whether the bench started the PostgreSQL server itself (so it may stop it: <see cref="ServerDown"/>).</summary>
    public bool OwnsServer => _serverDirectory is not null;

    /// <summary>Stops the throwaway PostgreSQL server, keeping its data (<c>scripts/postgres down</c>).</summary>
    public void ServerDown() => Script("down", _serverDirectory ?? throw new InvalidOperationException("Only a server the bench started can be stopped."));

    /// <summary>Starts it again on the same port (<c>scripts/postgres up</c>).</summary>
    public void ServerUp() => Script("up", _serverDirectory ?? throw new InvalidOperationException("Only a server the bench started can be started."));

    /// <summary>Runs scripts/postgres (found from the working folder up) with the arguments; returns its output lines.</summary>
    private static string[] Script(params string[] arguments)
    {
        var root = new DirectoryInfo(Directory.GetCurrentDirectory());
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "scripts", "postgres"))) root = root.Parent;
        if (root is null) throw new InvalidOperationException($"scripts/postgres not found above {Directory.GetCurrentDirectory()}; set {PostgresVariable}.");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, WorkingDirectory = root.FullName };
        start.ArgumentList.Add(Path.Combine(root.FullName, "scripts", "postgres"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)) || process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/postgres {string.Join(' ', arguments)} failed.");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public ValueTask DisposeAsync()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        if (_serverDirectory is not null) Script("stop", _serverDirectory);
        return ValueTask.CompletedTask;
    }
}
