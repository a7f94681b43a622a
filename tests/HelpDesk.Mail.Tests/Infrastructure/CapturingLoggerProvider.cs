using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace HelpDesk.Mail.Tests.Infrastructure;

/// <summary>Every log line of a host, with its category and exception, for tests that assert what is (never) logged.</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Queue { get; } = new();
    public IReadOnlyList<string> Lines => Queue.ToArray();
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void Dispose() { }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Queue.Enqueue($"{category}: {formatter(state, exception)} {exception}");
    }
}
