using FastLoad.Engine.Load;

namespace FastLoad.Runner.Commands;

/// <summary>
/// Where <c>fastload run</c> writes and what stops it: the console and the process's signals (the command line), or
/// a run of <c>fastload serve</c> with its own output, stop, monitor and arguments. The run itself is the same code.
/// </summary>
internal sealed class RunHost
{
    /// <summary>The command line: stdout, stderr, a live view on a terminal, Ctrl-C and SIGTERM.</summary>
    public static RunHost Console => new()
    {
        Out = System.Console.Out,
        Error = System.Console.Error,
        Terminal = !System.Console.IsOutputRedirected,
    };

    public required TextWriter Out { get; init; }

    public required TextWriter Error { get; init; }

    /// <summary>The live (Spectre) view may be drawn; otherwise plain progress lines once a second.</summary>
    public bool Terminal { get; init; }

    /// <summary>Stops the run as Ctrl-C does (no more signing, answers drained, results kept as 'interrupted'); null: the process's signals.</summary>
    public CancellationToken? Stop { get; init; }

    /// <summary>Live figures of the run for someone else to read; null: the run makes its own when --metrics-port asks.</summary>
    public RunMonitor? Monitor { get; init; }

    /// <summary>The arguments recorded as the run's command line (runs.command_line), from "run" on; null: the process's own.</summary>
    public string[]? CommandLine { get; init; }

    /// <summary>Called once every flag is good and the results file (its path, or null with --no-results) exists, before set-up begins.</summary>
    public Action<string?>? Started { get; init; }
}
