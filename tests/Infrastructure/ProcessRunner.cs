using System.Diagnostics;

namespace FastLoad.Tests.Infrastructure;

public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr);

public static class ProcessRunner
{
    /// <summary>Runs the built <c>fastload</c> with the given arguments and stdin; bounded in time.</summary>
    public static Task<ProcessResult> RunFastloadAsync(string stdin, params string[] args) => RunFastloadAsync(stdin, null, args);

    /// <summary>As above, with extra environment variables.</summary>
    public static async Task<ProcessResult> RunFastloadAsync(string stdin, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestPaths.Scratch,
        };
        start.ArgumentList.Add(TestPaths.FastloadDll);
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
