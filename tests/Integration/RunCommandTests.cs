using FastLoad.Engine.DuckDb;
using System.Diagnostics;
using System.Text;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>`fastload run` as a user runs it: Ctrl-C, bad flags, unreachable nodes.</summary>
public class RunCommandTests
{
    // SIGTERM is what timeout, systemd, Docker and Kubernetes send: it must stop as cleanly as Ctrl-C
    // (before: exit 143 with no summary, runs.status left 'running', the last rows missing).
    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public async Task A_signal_mid_run_prints_the_summary_keeps_every_row_and_exits_with_its_code(string signal, int exitCode)
    {
        string file = TestPaths.NewFile(".duckdb");
        using var fastload = RunningFastload.Start(null, "run", "--rate", "50", "--duration", "60s", "--wallets", "20", "--out", file);
        Process process = fastload.Process;
        await fastload.WaitForLineAsync("s] sent", TimeSpan.FromSeconds(60));
        using (var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        string text = fastload.Output;
        Assert.Equal(exitCode, process.ExitCode);
        Assert.Contains("Run interrupted", text);
        Assert.Contains("accepted", text);
        Assert.DoesNotContain("   at ", text);
        // The results file is complete and says the run was interrupted.
        using var db = DuckDbSql.Open(file);
        var run = db.Table("SELECT status, sent, (SELECT count(*) FROM tx_log) FROM runs");
        Assert.Equal("interrupted", run.GetString(0, 0));
        Assert.True(run.GetInt64(0, 1) > 0);
        Assert.Equal(run.GetInt64(0, 1), run.GetInt64(0, 2));
    }

    [Fact]
    public async Task Headers_that_would_go_to_another_host_without_tls_are_warned_of_before_anything_is_sent()
    {
        // 192.0.2.x (TEST-NET-1) is never contacted: --resync-every 0 stops the command after the flags are read.
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "run", "--rpc", "https://192.0.2.1:8545,http://127.0.0.1:1", "--ws", "ws://192.0.2.1:8546,ws://127.0.0.1:2",
            "--send-rpc", "http://192.0.2.2:8545", "--confirm-ws", "wss://192.0.2.3/s,ws://192.0.2.4/s", "--header", "Authorization: Bearer t0ken", "--resync-every", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(
        [
            "fastload run: warning: node 0's headers (--send-rpc) go to http://192.0.2.2:8545/ without TLS: anyone on the path can read them (use https:// or wss://)",
            "fastload run: warning: node 0's headers (--ws) go to ws://192.0.2.1:8546/ without TLS: anyone on the path can read them (use https:// or wss://)",
            "fastload run: warning: the headers given for every node (--confirm-ws) go to ws://192.0.2.4/s without TLS: anyone on the path can read them (use https:// or wss://)",
            "fastload run: --resync-every must be at least 1",
        ], r.StdErr.Trim().Split('\n')); // https and wss are fine, and so is this machine (node 1 on 127.0.0.1)
        Assert.DoesNotContain("t0ken", r.StdErr);
    }

    [Theory]
    [InlineData("--help", 0)]
    [InlineData("-h", 0)]
    [InlineData("", 1)] // a bare `fastload` asks for nothing
    public async Task The_root_help_is_an_overview_naming_every_command_once_with_a_line_each(string flag, int exitCode)
    {
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", flag.Length == 0 ? [] : [flag]);
        Assert.Equal(exitCode, r.ExitCode);
        string[] lines = r.StdOut.Split('\n');
        int start = Array.IndexOf(lines, "Commands:");
        Assert.True(start > 0, r.StdOut);
        string[] commands = lines.Skip(start + 1).TakeWhile(l => l.Length > 0).Select(l => l.Trim().Split(' ')[0]).ToArray();
        Assert.Equal(["run", "probe", "presign", "sweep", "sign", "demo", "sink", "query", "report", "compare", "scenario", "serve"], commands);
        Assert.Contains("fastload COMMAND --help", r.StdOut);
        // Not every command's whole text: the run command's option list and exit codes are in `fastload run --help` only.
        Assert.DoesNotContain("--expect-success", r.StdOut);
        Assert.True(lines.Length < 45, $"{lines.Length} lines");
    }

    [Theory]
    [InlineData("--rate 10 --max", "--rate and --max")]
    [InlineData("--phase warm=constant@10/5s --duration 5s", "--phase gives each phase its shape, rate and duration")]
    [InlineData("--phase warm=constant/5s", "--phase 'warm=constant/5s': constant needs a rate")]
    [InlineData("--rpc wss://127.0.0.1:8545", "wss:// is not supported for sending")]
    [InlineData("--rpc http://127.0.0.1:1 --header NoColon", "--header has no ':' (its text is not shown")]
    [InlineData("--rpc http://127.0.0.1:1 --header 1=X-Key:v", "--header '1=X-Key: …' is for node 1, but --rpc gives 1 node(s)")]
    [InlineData("--rpc http://127.0.0.1:1 --header X-Key:$FASTLOAD_TEST_UNSET_VARIABLE", "environment variable FASTLOAD_TEST_UNSET_VARIABLE is not set")]
    [InlineData("--rpc http://127.0.0.1:1 --ca-cert /nonexistent/ca.pem", "--ca-cert /nonexistent/ca.pem does not exist")]
    [InlineData("--duration soon", "--duration 'soon'")]
    [InlineData("--tx-type 3", "--tx-type '3'")]
    [InlineData("--shard 2/2", "--shard '2/2'")]
    [InlineData("--rpc http://127.0.0.1:1 --duration 1s", "127.0.0.1:1")]
    [InlineData("--shard 5/10 --wallets 3", "--shard 5/10 owns no wallet of --wallets 3")]
    [InlineData("--periodic-resync --resync-every 0", "--resync-every must be at least 1")]
    [InlineData("--read-rate -1", "--read-rate -1 is not a rate: give reads/s, 0 or more")]
    [InlineData("--read-rate 10 --read-method foo", "--read-method 'foo' is unknown: use eth_blockNumber (default), eth_getBalance, eth_call or eth_getTransactionReceipt")]
    [InlineData("--read-method eth_call", "--read-method applies to read traffic: give --read-rate R too")]
    [InlineData("--receipts 150%", "--receipts '150%' is not a share from 0% to 100%")]
    [InlineData("--send-rpc http://127.0.0.1:2", "--send-rpc needs --rpc")]
    [InlineData("--rpc http://127.0.0.1:1,http://127.0.0.1:2 --send-rpc http://127.0.0.1:3,http://127.0.0.1:4,http://127.0.0.1:5", "--send-rpc gives 3 URLs for 2 --rpc nodes")]
    [InlineData("--rpc http://127.0.0.1:1 --send-rpc ftp://builder", "--send-rpc: 'ftp://' is not supported")]
    [InlineData("--rpc http://127.0.0.1:1 --confirm-ws http://stream:8546", "--confirm-ws 'http://stream:8546' is not a ws:// or wss:// URL")]
    public async Task Bad_input_is_one_line_naming_the_problem(string args, string expected)
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", ["run", .. args.Split(' ')]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}

public class FundingErrorTests
{
    [Fact]
    public async Task Unfunded_funder_stops_before_the_run_saying_how_much_is_needed()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        string emptyKey = "0x" + Convert.ToHexStringLower(FastLoad.Engine.Signing.DeterministicKeys.Derive("no-funds", 0).Bytes);
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = emptyKey },
            "run", "--rpc", node.Url.ToString(), "--rate", "10", "--duration", "2s", "--wallets", "5", "--seed", "funding-error");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("holds 0 ETH", result.StdErr);
        Assert.Contains("funding needs", result.StdErr);
        Assert.DoesNotContain("Sending at", result.StdOut);
    }

    [Fact]
    public async Task Periodic_resync_keeps_nonces_right()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        var run = new FastLoad.Engine.Load.LoadRun(new FastLoad.Engine.Load.RunOptions
        {
            Rpc = [node.Url.ToString()], Rate = 50, Duration = TimeSpan.FromSeconds(5), Wallets = 5,
            FunderKey = AnvilNode.DevKey, Seed = "periodic", PeriodicResync = 20,
        });
        var summary = await run.RunAsync(CancellationToken.None);
        await node.WaitForEmptyPoolAsync();
        Assert.Equal(0, summary.Errors);
        Assert.True(summary.Resyncs >= 5, $"only {summary.Resyncs} resyncs");
        foreach (var wallet in run.Wallets!.All)
            Assert.Equal(wallet.Accepted, Convert.ToInt64((await node.CallAsync("eth_getTransactionCount", wallet.Address.ToString(), "latest"))!.GetValue<string>(), 16));
    }
}
