using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Portal.Tests.Infrastructure;

public sealed record CapturedLog(string Category, LogLevel Level, string Message);

/// <summary>Keeps every log line a host writes, so tests can read the setup link and search for leaked secrets.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<CapturedLog> entries = new();

    public IReadOnlyList<CapturedLog> Entries => [.. entries];

    public string AllText => string.Join('\n', entries.Select(e => $"{e.Category} {e.Level}: {e.Message}"));

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<CapturedLog> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (exception is not null)
            {
                message += "\n" + exception;
            }
            // Structured values too, so a secret passed as a parameter but left out of the template is still found.
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
            {
                message += " " + string.Join(' ', values.Select(v => $"{v.Key}={v.Value}"));
            }
            entries.Enqueue(new CapturedLog(category, logLevel, message));
        }
    }
}
