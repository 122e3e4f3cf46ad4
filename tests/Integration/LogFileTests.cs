using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FastLoad.Engine.Load;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Sink;
using FastLoad.Engine.Wallets;
using FastLoad.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace FastLoad.Tests.Integration;

/// <summary>
/// <c>--log FILE</c> and <c>--log-level</c>: every event as a JSON line (timestamp, level, event, message, fields), the
/// console as before, the file complete on every way out, and no key, seed or wallet key anywhere.
/// </summary>
public class LogFileTests
{
    private sealed record LogLine(DateTimeOffset Timestamp, string Level, string Category, int EventId, string Event, string Message, JsonElement Fields);

    /// <summary>Every line of the file parsed; fails on a line that is not one JSON object with the standard keys.</summary>
    private static List<LogLine> ReadLog(string path)
    {
        var lines = new List<LogLine>();
        string text = File.ReadAllText(path);
        Assert.EndsWith("\n", text); // the last line is complete
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument doc = JsonDocument.Parse(line);
            JsonElement e = doc.RootElement;
            Assert.Equal(JsonValueKind.Object, e.ValueKind);
            var timestamp = DateTimeOffset.Parse(e.GetProperty("timestamp").GetString()!, CultureInfo.InvariantCulture);
            Assert.Equal(TimeSpan.Zero, timestamp.Offset); // UTC
            lines.Add(new LogLine(timestamp, e.GetProperty("level").GetString()!, e.GetProperty("category").GetString()!, e.GetProperty("event_id").GetInt32(),
                e.GetProperty("event").GetString()!, e.GetProperty("message").GetString()!, e.Clone()));
        }
        return lines;
    }

    private static LogLine Single(List<LogLine> log, string name) => Assert.Single(log, l => l.Event == name);

    [Fact]
    public async Task A_run_with_log_writes_its_events_as_json_lines_and_never_a_key_or_the_seed()
    {
        const string Seed = "log-file-secret-seed";
        await using AnvilNode node = await AnvilNode.StartAsync();
        string logPath = TestPaths.NewFile(".jsonl");
        string results = TestPaths.NewFile(".duckdb");
        var started = DateTimeOffset.UtcNow;

        ProcessResult run = await ProcessRunner.RunFastloadAsync("", new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey },
            "run", "--rpc", node.Url.ToString(), "--rate", "100", "--count", "100", "--wallets", "5", "--seed", Seed, "--ws", "none",
            "--out", results, "--no-live", "--log", logPath);

        Assert.True(run.ExitCode == 0, run.StdErr);
        List<LogLine> log = ReadLog(logPath);
        Assert.All(log, l => Assert.Equal("fastload.run", l.Category));
        Assert.All(log, l => Assert.InRange(l.Timestamp, started.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1)));
        Assert.True(log.Zip(log.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp), "timestamps go backwards");

        // The run's story, in order, with structured fields.
        string[] expected = ["NodeConnected", "RunStart", "RunPlan", "FundingStart", "FundingBatch", "FundingIncluded", "FundingConfirmed", "SendingAtRate", "SenderConnected", "SendingStopped", "ResultsWritten", "RunEnd"];
        List<string> seen = log.Select(l => l.Event).Where(expected.Contains).Distinct().ToList();
        Assert.Equal(expected, seen);
        LogLine funding = Single(log, "FundingStart");
        Assert.Equal(5, funding.Fields.GetProperty("walletCount").GetInt32());
        Assert.Equal(TestKeys.Funder.Address.ToString(), funding.Fields.GetProperty("funder").GetString());
        Assert.Equal("information", funding.Level);
        Assert.Equal(5, Single(log, "FundingIncluded").Fields.GetProperty("walletCount").GetInt32());
        LogLine written = Single(log, "ResultsWritten");
        Assert.Equal(results, written.Fields.GetProperty("path").GetString());
        Assert.Equal(100, written.Fields.GetProperty("rows").GetInt64());
        Assert.Equal("complete", written.Fields.GetProperty("status").GetString());
        LogLine end = Single(log, "RunEnd");
        Assert.Equal(100, end.Fields.GetProperty("sent").GetInt64());
        Assert.Equal(0, end.Fields.GetProperty("exitCode").GetInt32());
        Assert.Equal("count reached", Single(log, "SendingStopped").Fields.GetProperty("reason").GetString());

        // The console is what it always was: the headlines, not the details.
        Assert.Contains("Funding confirmed.", run.StdOut);
        Assert.Contains("Sending at 100 tx/s to 1 node(s), 100 txs...", run.StdOut);
        Assert.DoesNotContain("run start:", run.StdOut);
        Assert.DoesNotContain("funding batch", run.StdOut);
        Assert.Equal("", run.StdErr);

        // No secret, in the file or on the console: the funder key, any wallet key, the seed.
        string everything = File.ReadAllText(logPath) + run.StdOut + run.StdErr;
        var secrets = new List<string> { Convert.ToHexStringLower(TestKeys.Funder.Bytes), Seed };
        foreach (Wallet wallet in WalletSet.Derive(TestKeys.Funder, Seed, 5, Shard.Single, 1, 1).All) secrets.Add(Convert.ToHexStringLower(wallet.Key.Bytes));
        foreach (string secret in secrets) Assert.DoesNotContain(secret, everything, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Debug_level_logs_each_resync_batch_with_its_reason_on_the_console_and_in_the_file()
    {
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        string logPath = TestPaths.NewFile(".jsonl");

        ProcessResult run = await ProcessRunner.RunFastloadAsync("", new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey },
            "run", "--rpc", sink.Url.ToString(), "--rate", "100", "--duration", "3s", "--wallets", "10", "--periodic-resync", "--resync-every", "20",
            "--no-results", "--no-live", "--log", logPath, "--log-level", "debug");

        Assert.True(run.ExitCode == 0, run.StdErr);
        List<LogLine> log = ReadLog(logPath);
        List<LogLine> resyncs = log.Where(l => l.Event == "ResyncBatch").ToList();
        Assert.NotEmpty(resyncs);
        Assert.All(resyncs, r => Assert.Equal("debug", r.Level));
        Assert.Contains(resyncs, r => r.Fields.GetProperty("periodic").GetInt32() > 0);
        Assert.All(resyncs, r => Assert.Equal(r.Fields.GetProperty("walletCount").GetInt32(),
            r.Fields.GetProperty("fetched").GetInt32() + r.Fields.GetProperty("failed").GetInt32()));
        // At debug the console shows the details too.
        Assert.Contains("resync: ", run.StdOut);
        Assert.Contains("run start: ", run.StdOut);
    }

    [Fact]
    public async Task Each_distinct_error_text_is_logged_once_per_node_not_once_per_tx()
    {
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0, Faults = SinkFaultPlan.Parse("tx-error:nonce-too-low:geth:10%", seed: 3) });
        var log = new RecordingLogger(LogLevel.Information);
        RunSummary summary = await new LoadRun(new RunOptions
        {
            Rpc = [sink.Url.ToString()], Rate = 1000, Count = 2000, Duration = null, Wallets = 20, Signers = 1,
            FunderKey = AnvilNode.DevKey, WebSockets = null, Logger = log,
        }).RunAsync(CancellationToken.None);

        Assert.True(summary.Errors > 10, $"only {summary.Errors} errors: the fault plan did not bite");
        List<RecordingLogger.Entry> first = log.Entries.Where(e => e.Id.Name == nameof(RunLog.ErrorFirstSeen)).ToList();
        Assert.NotEmpty(first);
        Assert.All(first, e => Assert.Equal(LogLevel.Warning, e.Level));
        Assert.All(first, e => Assert.Contains("nonce", e.Message, StringComparison.OrdinalIgnoreCase));
        Assert.Equal(first.Count, first.Select(e => e.Message).Distinct().Count()); // each text once
        Assert.True(first.Count < summary.Errors, $"{first.Count} error lines for {summary.Errors} errors");
        Assert.DoesNotContain(log.Entries, e => e.Level == LogLevel.Debug); // the level is respected
    }

    [Fact]
    public async Task SIGTERM_mid_run_leaves_a_complete_log_ending_with_the_run_end_and_its_exit_code()
    {
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        string logPath = TestPaths.NewFile(".jsonl");
        using var fastload = RunningFastload.Start(new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey },
            "run", "--rpc", sink.Url.ToString(), "--rate", "50", "--duration", "60s", "--wallets", "4", "--no-results", "--no-live", "--log", logPath);
        await fastload.WaitForLineAsync("s] sent", TimeSpan.FromSeconds(60));
        using (var kill = Process.Start("kill", ["-TERM", fastload.Process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await fastload.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(143, fastload.Process.ExitCode);
        List<LogLine> log = ReadLog(logPath);
        Assert.Equal("SIGTERM", Single(log, "Signal").Fields.GetProperty("signal").GetString());
        Assert.Equal("interrupted", Single(log, "SendingStopped").Fields.GetProperty("reason").GetString());
        LogLine end = log[^1];
        Assert.Equal("RunEnd", end.Event);
        Assert.Equal(143, end.Fields.GetProperty("exitCode").GetInt32());
        Assert.Equal("interrupted", end.Fields.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_sink_logs_its_lines_to_the_file_and_closes_it_on_SIGTERM()
    {
        string logPath = TestPaths.NewFile(".jsonl");
        using var fastload = RunningFastload.Start(null, "sink", "--port", "0", "--log", logPath);
        await fastload.WaitForLineAsync("sink listening on", TimeSpan.FromSeconds(30));
        using (var kill = Process.Start("kill", ["-TERM", fastload.Process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await fastload.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, fastload.Process.ExitCode);
        List<LogLine> log = ReadLog(logPath);
        Assert.All(log, l => Assert.Equal("fastload.sink", l.Category));
        Assert.StartsWith("http://127.0.0.1:", Single(log, "SinkListening").Fields.GetProperty("url").GetString());
        Assert.Equal(0, Single(log, "SinkStopped").Fields.GetProperty("accepted").GetInt64());
        Assert.Contains("sink stopped: 0 txs accepted", fastload.Output); // and the console still has its lines
    }

    [Fact]
    public async Task An_hdr_log_that_cannot_be_written_is_recorded_in_the_log_file_as_the_results_file_failure_is()
    {
        string logPath = TestPaths.NewFile(".jsonl");
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", "run", "--rpc", "http://127.0.0.1:1", "--no-results", "--no-live",
            "--hdr-log", "/proc/no-such-dir/run.hlog", "--log", logPath);
        Assert.Equal(2, run.ExitCode);
        LogLine failed = Single(ReadLog(logPath), "CommandFailed");
        Assert.Contains("--hdr-log /proc/no-such-dir/run.hlog cannot be written", failed.Message);
    }

    [Theory]
    [InlineData("run", "--log /nonexistent-fastload-dir/run.jsonl", "--log /nonexistent-fastload-dir/run.jsonl cannot be opened for writing (its directory does not exist)")]
    [InlineData("run", "--log-level chatty", "--log-level 'chatty' is unknown: use trace, debug, information, warning or error")]
    [InlineData("sink", "--port 0 --log /nonexistent-fastload-dir/sink.jsonl", "fastload sink: --log /nonexistent-fastload-dir/sink.jsonl cannot be opened")]
    [InlineData("presign", "--count 10 --out /tmp/x.bin --log-level none", "fastload presign: --log-level 'none' is unknown")]
    public async Task A_bad_log_flag_is_one_line_and_exit_2(string command, string args, string expected)
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", [command, .. args.Split(' ')]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
