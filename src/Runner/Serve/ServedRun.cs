using System.CommandLine;
using System.CommandLine.Parsing;
using FastLoad.Engine.Load;
using FastLoad.Engine.Native;
using FastLoad.Engine.Results;
using FastLoad.Runner.Commands;

namespace FastLoad.Runner.Serve;

/// <summary>
/// One run started by <c>fastload serve</c>: the <c>run</c> command itself (same parsing, checks, engine, results file
/// and summary), on a thread of its own, writing to a <see cref="LineLog"/>, stopped through a token exactly as Ctrl-C
/// stops it (no more signing, in-flight answers drained, results kept with status 'interrupted'). While it lives, a
/// timer reads its <see cref="RunMonitor"/> once a second into <see cref="LiveFigures"/>.
/// </summary>
internal sealed class ServedRun
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<LiveFigures> _figures = [];
    private readonly LiveFigureReader _reader;
    private readonly TaskCompletionSource<bool> _begun = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServedRun(string id, string resultsPath, string[] args)
    {
        Id = id;
        ResultsPath = resultsPath;
        Args = args;
        StartedAt = DateTimeOffset.UtcNow;
        _reader = new LiveFigureReader(Monitor, StartedAt);
    }

    public string Id { get; }

    /// <summary>The results file the run writes (the service names it: its results folder, the run's id).</summary>
    public string ResultsPath { get; }

    /// <summary>The <c>run</c> arguments, as given to the command (secrets redacted when shown: <see cref="ShownArgs"/>).</summary>
    public string[] Args { get; }

    public string[] ShownArgs => ConnectionFlags.RedactArguments(Args);

    public DateTimeOffset StartedAt { get; }

    public DateTimeOffset? EndedAt { get; private set; }

    public RunMonitor Monitor { get; } = new();

    /// <summary>What the run printed (progress lines once a second, the summary, errors).</summary>
    public LineLog Output { get; } = new(keep: 2000);

    /// <summary>What it printed on stderr; its first line is the run's error when it failed.</summary>
    public LineLog Errors { get; } = new(keep: 100);

    /// <summary>The run command's exit code once it has ended (0 done, 1 a verdict failed, 2 bad input or set-up error, 4 stopped early, 130 stopped).</summary>
    public int? ExitCode { get; private set; }

    /// <summary>Runs' status from the results file once ended (complete, interrupted, failed); null while it runs.</summary>
    public string? Status { get; private set; }

    /// <summary>The results file's figures once ended, when it could be read.</summary>
    public RunMetrics? Summary { get; private set; }

    public bool StopRequested { get; private set; }

    public bool Finished => ExitCode is not null;

    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>Starts <c>fastload run ARGS</c>; completes true once the run has begun (flags good, results file created), false if it ended before that.</summary>
    public static (ServedRun Run, Task<bool> Begun) Start(string id, string resultsPath, string[] args)
    {
        var run = new ServedRun(id, resultsPath, args);
        run.Completion = Task.Factory.StartNew(run.Execute, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        _ = run.SampleAsync();
        return (run, run._begun.Task);
    }

    /// <summary>Stops the run as Ctrl-C would; false when it had already ended.</summary>
    public bool Stop()
    {
        lock (_gate)
        {
            if (Finished) return false;
            StopRequested = true;
        }
        _stop.Cancel();
        return true;
    }

    /// <summary>The figures from sample <paramref name="from"/> on (0: all), and whether the run had ended when they were read (then they are all there will be).</summary>
    public (LiveFigures[] Figures, bool Ended) FiguresFrom(int from)
    {
        from = Math.Max(0, from);
        lock (_gate) return (from >= _figures.Count ? [] : _figures.GetRange(from, _figures.Count - from).ToArray(), Finished);
    }

    public LiveFigures? Latest
    {
        get { lock (_gate) return _figures.Count == 0 ? null : _figures[^1]; }
    }

    /// <summary>Completes at the next sample or when the run ends.</summary>
    public Task ChangedAsync(CancellationToken token)
    {
        lock (_gate) return _changed.Task.WaitAsync(token);
    }

    private void Execute()
    {
        int exit;
        var host = new RunHost
        {
            Out = Output,
            Error = new TeeWriter(Output, Errors),
            Terminal = false,
            Stop = _stop.Token,
            Monitor = Monitor,
            CommandLine = ["run", .. Args],
            Started = _ => _begun.TrySetResult(true),
        };
        try
        {
            var root = new RootCommand { RunCommand.Create(host) };
            ParseResult parsed = root.Parse(["run", .. Args]);
            if (parsed.Errors.Count > 0)
            {
                host.Error.WriteLine(Program.ParseErrorLine(parsed));
                exit = 2;
            }
            else
            {
                exit = parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false, Output = Output, Error = host.Error });
            }
        }
        catch (Exception e) when (Program.Unwrap(e) is NativeLibraryMissingException missing)
        {
            host.Error.WriteLine($"fastload run: {missing.Message}");
            exit = 3;
        }
        catch (Exception e)
        {
            Exception inner = Program.Unwrap(e);
            host.Error.WriteLine($"fastload run: internal error: {inner.GetType().Name}: {inner.Message}");
            exit = 70;
        }
        Finish(exit);
    }

    private void Finish(int exit)
    {
        RunMetrics? summary = null;
        string status = exit == 130 ? "interrupted" : "failed"; // without a results file: stopped (or failed) before sending began, nothing to keep
        if (File.Exists(ResultsPath))
        {
            try
            {
                summary = RunMetrics.Load(ResultsPath);
                status = summary.Status;
            }
            catch (Exception e) when (e is InvalidDataException or IOException or System.Data.Common.DbException)
            {
                Errors.WriteLine($"fastload serve: the results file {ResultsPath} cannot be read: {e.Message}");
            }
        }
        lock (_gate)
        {
            _figures.Add(_reader.Read(DateTimeOffset.UtcNow)); // the final totals (the monitor keeps them after the end)
            Summary = summary;
            Status = status;
            EndedAt = DateTimeOffset.UtcNow;
            ExitCode = exit;
            Pulse();
        }
        _begun.TrySetResult(false);
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync().ConfigureAwait(false))
        {
            lock (_gate)
            {
                if (Finished) return;
                _figures.Add(_reader.Read(DateTimeOffset.UtcNow));
                Pulse();
            }
        }
    }

    private void Pulse()
    {
        TaskCompletionSource changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }
}
