using System.Collections.Concurrent;
using HelpDesk.Web.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HelpDesk.Web.Tests.Api;

/// <summary>Request paths with survey tokens or access tokens never reach a log: the log output captured at its most verbose.</summary>
public sealed class LogRedactionTests : IAsyncLifetime
{
    private const string Secret = "SvYtOkEn7Q3xZ9";
    private readonly HelpDeskFactory _factory = new();
    private readonly Capture _capture = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Survey_and_access_tokens_in_request_paths_are_never_logged()
    {
        await using var app = _factory.WithWebHostBuilder(b => b
            .UseSetting("Logging:LogLevel:Default", "Trace")
            .UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Trace")
            .ConfigureServices(s => s.AddSingleton<ILoggerProvider>(_capture)));
        using var http = app.CreateClient();

        await http.GetAsync($"/survey/{Secret}?rating=5");
        await http.PostAsync($"/survey/{Secret}", new FormUrlEncodedContent(new Dictionary<string, string> { ["rating"] = "4" }));
        await http.PostAsync($"/hubs/console/negotiate?negotiateVersion=1&access_token=hd_{Secret}", null);
        await http.GetAsync($"/api/v1/tickets?token={Secret}");

        _capture.Lines.Should().Contain(l => l.Contains($"/survey/{HelpDesk.Web.Hosting.LogRedaction.Redacted}"), "the request lines are logged, redacted");
        _capture.Lines.Should().Contain(l => l.Contains("access_token=" + HelpDesk.Web.Hosting.LogRedaction.Redacted));
        _capture.Lines.Should().NotContain(l => l.Contains(Secret));
    }

    /// <summary>Every log entry as its message and its structured values.</summary>
    private sealed class Capture : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose() { }

        private sealed class Logger(Capture capture) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                capture.Lines.Enqueue($"{formatter(state, exception)} | {values} | {exception}");
            }
        }
    }
}
