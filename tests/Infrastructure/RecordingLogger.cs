using Microsoft.Extensions.Logging;

namespace FastLoad.Tests.Infrastructure;

/// <summary>An <see cref="ILogger"/> that keeps every event (id, name, level, rendered message), for tests of what a run logs.</summary>
public sealed class RecordingLogger(LogLevel minimum = LogLevel.Trace) : ILogger
{
    public sealed record Entry(EventId Id, LogLevel Level, string Message);

    private readonly List<Entry> _entries = [];

    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_entries) return _entries.ToArray();
        }
    }

    /// <summary>Every message, one a line.</summary>
    public string Text => string.Join('\n', Entries.Select(e => e.Message));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel)) return;
        var entry = new Entry(eventId, logLevel, formatter(state, exception));
        lock (_entries) _entries.Add(entry);
    }
}
