using System.Diagnostics;
using System.Text;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>`fastload run` as a user runs it: Ctrl-C, bad flags, unreachable nodes.</summary>
public class RunCommandTests
{
    [Fact]
    public async Task Ctrl_c_mid_run_prints_the_summary_and_exits_cleanly()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { TestPaths.FastloadDll, "run", "--rate", "50", "--duration", "60s", "--wallets", "20" }) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var sending = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            lock (output) output.AppendLine(e.Data);
            if (e.Data?.Contains("s] sent", StringComparison.Ordinal) == true) sending.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await sending.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using (var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        string text;
        lock (output) text = output.ToString();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("Run interrupted (Ctrl-C)", text);
        Assert.Contains("accepted", text);
        Assert.DoesNotContain("   at ", text);
    }

    [Theory]
    [InlineData("--rate 10 --max", "--rate and --max")]
    [InlineData("--rpc https://127.0.0.1:8545", "https")]
    [InlineData("--duration soon", "--duration 'soon'")]
    [InlineData("--tx-type 3", "--tx-type '3'")]
    [InlineData("--shard 2/2", "--shard '2/2'")]
    [InlineData("--rpc http://127.0.0.1:1 --duration 1s", "127.0.0.1:1")]
    public async Task Bad_input_is_one_line_naming_the_problem(string args, string expected)
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", ["run", .. args.Split(' ')]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
