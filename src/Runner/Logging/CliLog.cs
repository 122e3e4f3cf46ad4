using System.Buffers;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using FastLoad.Engine.Load;
using Microsoft.Extensions.Logging;
using ZLogger;
using ZLogger.Formatters;
using ZLogger.Providers;

namespace FastLoad.Runner.Logging;

/// <summary>
/// A command's logging: ZLogger providers on one <see cref="ILoggerFactory"/>. On the console, the plain lines the
/// command has always printed (written at once, in order with everything else it prints); with <c>--log FILE</c>,
/// every event as a JSON line with timestamp, level, category, event id and name, message and fields. Dispose it on
/// every way out: that writes what is queued and closes the file.
/// </summary>
public sealed class CliLog : IDisposable
{
    private readonly ILoggerFactory _factory;
    private readonly string _command;
    private Exception? _fileFailure;
    private bool _disposed;

    private CliLog(ILoggerFactory factory, string command, string? path)
    {
        _factory = factory;
        _command = command;
        Path = path;
        Logger = factory.CreateLogger($"fastload.{command}");
    }

    /// <summary>The command's logger (category <c>fastload.COMMAND</c>).</summary>
    public ILogger Logger { get; }

    /// <summary>The JSON-lines file, if any.</summary>
    public string? Path { get; }

    /// <summary>--log FILE: JSON lines of every event at or above --log-level, appended.</summary>
    public static Option<FileInfo?> FileOption() => new("--log") { Description = "Also write every event as a JSON line (timestamp, level, event, message, fields) to FILE (appended)." };

    /// <summary>--log-level: for the console and the file.</summary>
    public static Option<string> LevelOption() => new("--log-level")
    {
        Description = "trace, debug, information, warning or error, for the console and --log (debug: also the details, e.g. each resync batch).",
        DefaultValueFactory = _ => "information",
    };

    /// <summary>
    /// Sets up logging for <paramref name="command"/>. <paramref name="console"/> receives the console lines (null:
    /// none, e.g. --quiet). Throws <see cref="ArgumentException"/> with a one-line message for a bad level or a file that
    /// cannot be opened.
    /// </summary>
    public static CliLog Create(string command, FileInfo? file, string level, Action<string>? console)
    {
        LogLevel minimum = ParseLevel(level);
        FileStream? stream = file is null ? null : OpenFile(file);
        CliLog? log = null;
        ILoggerFactory factory = LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(minimum);
            if (console is not null)
                builder.AddZLoggerLogProcessor(options => new ConsoleLines(options.UsePlainTextFormatter().CreateFormatter(), console, minimum));
            if (stream is not null)
            {
                builder.AddZLoggerStream(stream, options =>
                {
                    options.InternalErrorLogger = e => { if (log is not null) Interlocked.CompareExchange(ref log._fileFailure, e, null); };
                    options.UseJsonFormatter(Json);
                });
            }
        });
        log = new CliLog(factory, command, file?.FullName);
        return log;
    }

    /// <summary>Writes what is queued, closes the file; says so (one line on stderr) if the file could not be written.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _factory.Dispose();
        if (Volatile.Read(ref _fileFailure) is Exception e)
            Console.Error.WriteLine($"fastload {_command}: writing the log file {Path} failed ({e.Message}); it ends before that");
    }

    internal static LogLevel ParseLevel(string text) => text.Trim().ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "information" or "info" => LogLevel.Information,
        "warning" or "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => throw new ArgumentException($"--log-level '{text}' is unknown: use trace, debug, information, warning or error"),
    };

    private static FileStream OpenFile(FileInfo file)
    {
        if (Directory.Exists(file.FullName)) throw new ArgumentException($"--log {file.FullName} is a directory: give a file path");
        try
        {
            return new FileStream(file.FullName, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            string why = e is DirectoryNotFoundException ? "its directory does not exist" : e is UnauthorizedAccessException ? "permission denied" : e.Message;
            throw new ArgumentException($"--log {file.FullName} cannot be opened for writing ({why}): give a writable file path");
        }
    }

    /// <summary>One JSON object per line: timestamp (UTC), level, category, event_id, event, message, then the event's fields (named as in <see cref="RunLog"/>).</summary>
    private static void Json(SystemTextJsonZLoggerFormatter formatter)
    {
        formatter.UseUtcTimestamp = true;
        formatter.IncludeProperties = IncludeProperties.Timestamp | IncludeProperties.LogLevel | IncludeProperties.CategoryName
            | IncludeProperties.EventIdValue | IncludeProperties.EventIdName | IncludeProperties.Message | IncludeProperties.Exception
            | IncludeProperties.ParameterKeyValues;
        formatter.JsonPropertyNames = JsonPropertyNames.Default with
        {
            Timestamp = JsonEncodedText.Encode("timestamp"),
            LogLevel = JsonEncodedText.Encode("level"),
            Category = JsonEncodedText.Encode("category"),
            EventId = JsonEncodedText.Encode("event_id"),
            EventIdName = JsonEncodedText.Encode("event"),
            Message = JsonEncodedText.Encode("message"),
            Exception = JsonEncodedText.Encode("exception"),
            LogLevelTrace = JsonEncodedText.Encode("trace"),
            LogLevelDebug = JsonEncodedText.Encode("debug"),
            LogLevelInformation = JsonEncodedText.Encode("information"),
            LogLevelWarning = JsonEncodedText.Encode("warning"),
            LogLevelError = JsonEncodedText.Encode("error"),
            LogLevelCritical = JsonEncodedText.Encode("critical"),
            LogLevelNone = JsonEncodedText.Encode("none"),
        };
    }

    /// <summary>
    /// The console: each headline event (<see cref="CliEvents.IsHeadline"/>) as the plain
    /// formatter renders it (the message alone, as the commands always printed it), handed on at once, on the
    /// logging thread, so lines keep their order with the rest of the output. At debug or trace every event is shown,
    /// except those that record a line already on stderr.
    /// </summary>
    private sealed class ConsoleLines(IZLoggerFormatter formatter, Action<string> write, LogLevel minimum) : IAsyncLogProcessor
    {
        private readonly Lock _gate = new();
        private readonly ArrayBufferWriter<byte> _buffer = new(256);

        public void Post(IZLoggerEntry log)
        {
            try
            {
                EventId id = log.LogInfo.EventId;
                if (CliEvents.IsStderrEcho(id) || (minimum > LogLevel.Debug && !CliEvents.IsHeadline(id))) return;
                string line;
                lock (_gate)
                {
                    _buffer.ResetWrittenCount();
                    log.FormatUtf8(_buffer, formatter);
                    line = Encoding.UTF8.GetString(_buffer.WrittenSpan);
                }
                write(line);
            }
            finally
            {
                log.Return();
            }
        }

        public ValueTask DisposeAsync() => default;
    }
}
