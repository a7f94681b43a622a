using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace HelpDesk.Cluster.Tests.Infrastructure;

/// <summary>
/// One app node: the real host (helpdesk.dll from this project's output) as a separate OS process on a free loopback
/// port, configured only through environment variables, with the system clock. <see cref="Kill"/> is kill -9.
/// </summary>
public sealed class HelpDeskNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private HelpDeskNode(string name, Process process, Uri baseAddress) => (Name, _process, BaseAddress) = (name, process, baseAddress);

    public string Name { get; }
    public Uri BaseAddress { get; }
    public int ProcessId => _process.Id;
    public bool IsRunning => !_process.HasExited;

    /// <summary>Starts the node; <see cref="WaitHealthyAsync"/> waits until it answers.</summary>
    public static HelpDeskNode Start(string name, IReadOnlyDictionary<string, string?> settings)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "helpdesk.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        Configure(info, settings);
        var process = Process.Start(info)!;
        var node = new HelpDeskNode(name, process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => node.Record(e.Data);
        process.ErrorDataReceived += (_, e) => node.Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return node;
    }

    /// <summary>Settings as environment variables (':' becomes '__'), the way an operator configures a node.</summary>
    public static void Configure(ProcessStartInfo info, IReadOnlyDictionary<string, string?> settings)
    {
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in settings) info.Environment[key.Replace(":", "__")] = value;
    }

    public async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.UntilAsync(async () =>
        {
            if (!IsRunning) throw new InvalidOperationException($"node {Name} exited with {_process.ExitCode}:\n{LogTail()}");
            try { return (await http.GetAsync("/health")).StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, $"node {Name} to answer /health", seconds: 90);
    }

    public HttpClient Client(string token) => new()
    {
        BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60),
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) },
    };

    /// <summary>kill -9: no shutdown, no lease released, whatever was in flight stays in flight.</summary>
    public void Kill()
    {
        if (!IsRunning) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public string LogTail(int lines = 40) => string.Join('\n', _log.TakeLast(lines));

    private void Record(string? line)
    {
        if (line is null) return;
        _log.Enqueue(line);
        while (_log.Count > 500) _log.TryDequeue(out _);
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
