using System.Text;
using System.Diagnostics;

namespace FastLoad.Tests.Infrastructure;

public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

public static class ProcessRunner
{
    /// <summary>Runs the built <c>fastload</c> with the given arguments and stdin; bounded in time.</summary>
    public static Task<ProcessResult> RunFastloadAsync(string stdin, params string[] args) => RunFastloadAsync(stdin, null, args);

    /// <summary>As above, with extra environment variables.</summary>
    public static Task<ProcessResult> RunFastloadAsync(string stdin, IReadOnlyDictionary<string, string>? environment, params string[] args) =>
        RunAsync("dotnet", stdin, environment, [TestPaths.FastloadDll, .. args]);

    /// <summary>Runs any program with the given arguments and stdin; bounded in time.</summary>
    public static Task<ProcessResult> RunAsync(string program, string stdin, params string[] args) => RunAsync(program, stdin, null, args);

    private static async Task<ProcessResult> RunAsync(string program, string stdin, IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestPaths.Scratch,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        foreach (string arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>
/// A fastload process left running (for signals and kills mid-run): its stdout and stderr are collected, and a
/// test can wait for a line. Disposing kills it if it is still running.
/// </summary>
public sealed class RunningFastload : IDisposable
{
    private readonly StringBuilder _output = new();
    private readonly List<(string Text, TaskCompletionSource Seen)> _waits = [];

    private RunningFastload(Process process) => Process = process;

    public Process Process { get; }

    /// <summary>Everything printed so far (stdout and stderr interleaved).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static RunningFastload Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = TestPaths.Scratch };
        start.ArgumentList.Add(TestPaths.FastloadDll);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        foreach (string arg in args) start.ArgumentList.Add(arg);
        var running = new RunningFastload(Process.Start(start)!);
        running.Process.OutputDataReceived += (_, e) => running.OnLine(e.Data);
        running.Process.ErrorDataReceived += (_, e) => running.OnLine(e.Data);
        running.Process.BeginOutputReadLine();
        running.Process.BeginErrorReadLine();
        return running;
    }

    /// <summary>Completes when a line containing <paramref name="text"/> has been printed.</summary>
    public Task WaitForLineAsync(string text, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            if (_output.ToString().Contains(text, StringComparison.Ordinal)) return Task.CompletedTask;
            _waits.Add((text, seen));
        }
        return seen.Task.WaitAsync(timeout);
    }

    private void OnLine(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.AppendLine(line);
            foreach ((string text, TaskCompletionSource seen) in _waits)
                if (line.Contains(text, StringComparison.Ordinal)) seen.TrySetResult();
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }
}
