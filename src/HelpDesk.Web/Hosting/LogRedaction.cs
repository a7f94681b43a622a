using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace HelpDesk.Web.Hosting;

/// <summary>
/// Request paths and query strings that carry a credential never reach a log: the survey token in <c>/survey/{token}</c>
/// (and the customer portal's magic links under <c>/portal/</c> when it comes), and <c>access_token</c>/<c>token</c>
/// query values (SignalR sends the bearer token so on WebSockets). Done where every log line passes: the
/// <see cref="ILoggerFactory"/> is wrapped, so ASP.NET Core's own "Request starting …" lines, routing, exceptions and
/// ours are redacted alike, in the formatted message and in the structured values that JSON or OTLP exporters read.
/// </summary>
public static partial class LogRedaction
{
    public const string Redacted = "[redacted]";

    public static IServiceCollection AddLogRedaction(this IServiceCollection services)
    {
        var original = services.LastOrDefault(d => d.ServiceType == typeof(ILoggerFactory))
                       ?? throw new InvalidOperationException("Logging must be registered before its redaction.");
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp => new RedactingLoggerFactory(original.ImplementationInstance as ILoggerFactory
            ?? (ILoggerFactory)(original.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, original.ImplementationType!)))));
        return services;
    }

    /// <summary>The text with every token-carrying path segment or query value replaced by <see cref="Redacted"/>.</summary>
    public static string Redact(string text) => Sensitive().Replace(text, m => m.Groups["keep"].Value + Redacted);

    private static bool MayCarry(string text) => text.Contains("/survey/", StringComparison.OrdinalIgnoreCase)
                                                 || text.Contains("/portal/", StringComparison.OrdinalIgnoreCase)
                                                 || text.Contains("token=", StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"(?<keep>/(?:survey|portal/(?:magic|login|ticket))/)[^/?#\s""']+|(?<keep>[?&](?:access_token|token)=)[^&#\s""']+", RegexOptions.IgnoreCase)]
    private static partial Regex Sensitive();

    private sealed class RedactingLoggerFactory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName));
        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);
        public void Dispose() => inner.Dispose();
    }

    private sealed class RedactingLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel)) return;
            var message = formatter(state, exception);
            var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
            if (!MayCarry(message) && (values is null || !values.Any(v => v.Value is string s && MayCarry(s) || v.Value is PathString or QueryString)))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }
            var redacted = new RedactedState(Redact(message), values?.Select(v => new KeyValuePair<string, object?>(v.Key, v.Value switch
            {
                string s => Redact(s),
                PathString or QueryString => Redact(v.Value.ToString()!),
                _ => v.Value,
            })).ToList() ?? []);
            inner.Log(logLevel, eventId, redacted, exception, static (s, _) => s.Message);
        }
    }

    /// <summary>A log entry's state with its message and values redacted; its ToString is the message, as for the originals.</summary>
    private sealed class RedactedState(string message, List<KeyValuePair<string, object?>> values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message => message;
        public KeyValuePair<string, object?> this[int index] => values[index];
        public int Count => values.Count;
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => values.GetEnumerator();
        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        public override string ToString() => message;
    }
}
