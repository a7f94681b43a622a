using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;

#pragma warning disable CA1050 // The runtime finds a startup hook only as a type named StartupHook outside any namespace.

/// <summary>
/// A .NET startup hook (<c>DOTNET_STARTUP_HOOKS=…/HelpDesk.Testing.dll</c>) that kills its process (-9) right after the
/// commit of a transaction that inserted into the table named by <c>HELPDESK_TEST_KILL_AFTER_COMMIT_OF</c>: the crash
/// between commit and response, placed exactly, in a real server process the test started. Listens to EF Core's
/// diagnostic events, so the server carries no test code. Does nothing without the variable.
/// </summary>
public static class StartupHook
{
    public const string Variable = "HELPDESK_TEST_KILL_AFTER_COMMIT_OF";
    private const string Executing = "Microsoft.EntityFrameworkCore.Database.Command.CommandExecuting";
    private const string Committed = "Microsoft.EntityFrameworkCore.Database.Transaction.TransactionCommitted";

    private static readonly ConcurrentDictionary<Guid, bool> Armed = new();
    private static string _table = "";

    public static void Initialize()
    {
        _table = Environment.GetEnvironmentVariable(Variable) ?? "";
        if (_table.Length == 0) return;
        DiagnosticListener.AllListeners.Subscribe(new Observer<DiagnosticListener>(listener =>
        {
            if (listener.Name == "Microsoft.EntityFrameworkCore") listener.Subscribe(new Observer<KeyValuePair<string, object?>>(OnEvent));
        }));
    }

    private static void OnEvent(KeyValuePair<string, object?> e)
    {
        if (e.Value is null) return;
        if (e.Key == Executing && Property(e.Value, "Command") is DbCommand { CommandText: var sql }
            && sql.Contains("INSERT", StringComparison.OrdinalIgnoreCase) && sql.Contains(_table, StringComparison.Ordinal))
            Armed[(Guid)Property(e.Value, "ConnectionId")!] = true;
        else if (e.Key == Committed && Armed.TryRemove((Guid)Property(e.Value, "ConnectionId")!, out _))
        {
            Console.Out.WriteLine($"kill-after-commit: {_table} committed, killing process {Environment.ProcessId}");
            Console.Out.Flush();
            Process.GetCurrentProcess().Kill();
        }
    }

    private static object? Property(object payload, string name) => payload.GetType().GetProperty(name)?.GetValue(payload);

    private sealed class Observer<T>(Action<T> next) : IObserver<T>
    {
        public void OnNext(T value) => next(value);
        public void OnError(Exception error) { }
        public void OnCompleted() { }
    }
}
