using System.Globalization;
using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Nodes;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>
/// Read traffic (<c>--read-rate</c>) judged and watched: the read verdicts through the real <c>fastload run</c> against a
/// real anvil, <c>/metrics</c>' read counters against the results file, and <c>fastload probe</c>'s phase gauges.
/// Load-judged (live runs' counts and latencies), so run alone.
/// </summary>
[Collection(nameof(SaturatingCollection))]
public class ReadVerdictsAndMetricsTests
{
    private static readonly Dictionary<string, string> Funder = new() { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey };
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    [Fact]
    public async Task Read_verdicts_judge_the_runs_reads_one_passing_and_one_failing_on_purpose()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string file = TestPaths.NewFile(".duckdb");
        // A read p99 of 1 µs cannot be met: that verdict fails on purpose, the success one passes, so the run exits 1.
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", node.Url.ToString(), "--rate", "50", "--duration", "3s",
            "--wallets", "10", "--read-rate", "40", "--read-method", "eth_getBalance", "--expect-read-success", "90", "--expect-read-p99-ms", "0.001",
            "--out", file, "--no-live");
        Assert.True(run.ExitCode == 1, run.StdErr + run.StdOut);

        long reads, ok;
        double p99;
        using (DuckDBConnection db = DuckDbSql.Open(file))
        {
            ResultTable runs = db.Table("SELECT reads, read_p99_ms, (SELECT count(*) FILTER (outcome = 'ok') FROM reads), (SELECT count(*) FROM reads) FROM runs");
            reads = runs.GetInt64(0, 0);
            p99 = runs.GetDouble(0, 1);
            ok = runs.GetInt64(0, 2);
            Assert.InRange(reads, 115, 121); // 40 reads/s for 3 s
            Assert.Equal(reads, runs.GetInt64(0, 3)); // every read answered
            Assert.True(ok >= reads * 0.9, $"{ok} of {reads} reads ok");

            // The verdicts table holds what the summary printed.
            ResultTable verdicts = db.Table("SELECT target, expected, actual, pass FROM verdicts ORDER BY target");
            Assert.Equal(2, verdicts.RowCount);
            Assert.Equal(("read_p99_ms", 0.001, p99, false), (verdicts.GetString(0, 0), verdicts.GetDouble(0, 1), verdicts.GetDouble(0, 2), verdicts.GetBoolean(0, 3)));
            Assert.Equal(("read_success", 90.0, 100.0 * ok / reads, true), (verdicts.GetString(1, 0), verdicts.GetDouble(1, 1), verdicts.GetDouble(1, 2), verdicts.GetBoolean(1, 3)));
        }
        Assert.Contains(string.Create(C, $"  PASS  read_success      {100.0 * ok / reads:N2} % reads ok (expected >= 90.00)"), run.StdOut);
        Assert.Contains(string.Create(C, $"  FAIL  read_p99_ms       {p99:N2} ms read p99 (expected <= 0.00)"), run.StdOut);
        Assert.Contains("Verdict: FAIL", run.StdOut);

        // fastload report reads the same reads back from the file.
        ProcessResult report = await ProcessRunner.RunFastloadAsync("", "report", file);
        Assert.Equal(0, report.ExitCode);
        Assert.Contains(string.Create(C, $"  reads        eth_getBalance at 40/s: {reads:N0} answered   ok {ok:N0}   errors {reads - ok:N0}"), report.StdOut);

        // With the targets within reach (reads on loopback: at most a second from their intended time), the run passes.
        ProcessResult passing = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", node.Url.ToString(), "--rate", "20", "--duration", "2s",
            "--wallets", "10", "--read-rate", "20", "--expect-read-success", "90", "--expect-read-p99-ms", "5000", "--no-results", "--no-live");
        Assert.True(passing.ExitCode == 0, passing.StdErr + passing.StdOut);
        Assert.Contains("  PASS  read_p99_ms", passing.StdOut);
        Assert.Contains("Verdict: PASS", passing.StdOut);
    }

    [Fact]
    public async Task Scrapes_of_a_run_with_reads_count_them_up_and_the_last_one_equals_the_results_files_reads()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string file = TestPaths.NewFile(".duckdb");
        int port = LocalAnvil.FreePort();
        using var fastload = RunningFastload.Start(Funder, "run", "--rpc", node.Url.ToString(), "--rate", "50", "--duration", "4s", "--wallets", "10",
            "--read-rate", "60", "--out", file, "--no-live", "--metrics-port", port.ToString(C), "--metrics-linger", "60s");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        var readsWhileSending = new List<double>();
        PrometheusText final = await MetricsScraper.UntilFinishedAsync(fastload, http, port, TimeSpan.FromMilliseconds(200), page =>
        {
            if (page.Value("fastload_run_stage", ("stage", "setup")) == 1)
                Assert.Null(page.Sum("fastload_reads_sent_total")); // nothing to say before sending
            if (page.Value("fastload_run_stage", ("stage", "sending")) == 1) readsWhileSending.Add(page.Value("fastload_reads_sent_total"));
        });
        PrometheusText lingering = await MetricsScraper.LingeringThenStopAsync(fastload, http, port);

        // While sending, the read count grew scrape by scrape.
        Assert.True(readsWhileSending.Count >= 5, $"{readsWhileSending.Count} scrapes while sending");
        Assert.True(readsWhileSending.Zip(readsWhileSending.Skip(1)).All(p => p.Second >= p.First), string.Join(", ", readsWhileSending));
        Assert.True(readsWhileSending.Distinct().Count() >= 3, string.Join(", ", readsWhileSending));

        using DuckDBConnection db = DuckDbSql.Open(file);
        ResultTable runs = db.Table("""
            SELECT reads, read_errors, read_p99_ms, (SELECT count(*) FROM reads), (SELECT count(*) FILTER (outcome = 'ok') FROM reads),
                   (SELECT count(*) FILTER (outcome <> 'ok') FROM reads)
            FROM runs
            """);
        long reads = runs.GetInt64(0, 0), readErrors = runs.GetInt64(0, 1);
        Assert.InRange(reads, 230, 241); // 60 reads/s for 4 s
        Assert.Equal(reads, runs.GetInt64(0, 3));
        Assert.Equal(readErrors, runs.GetInt64(0, 5));
        double fileP99 = runs.GetDouble(0, 2) / 1000;

        // The must-show: the last scrape's read totals are the results file's.
        foreach (PrometheusText page in new[] { final, lingering })
        {
            Assert.Equal(reads, page.Value("fastload_reads_sent_total"));
            Assert.Equal(reads, page.Value("fastload_reads_sent_total", ("node", "0"), ("url", node.Url.ToString())));
            Assert.Equal(reads, page.Value("fastload_reads_total")); // every outcome: every read answered or failed
            Assert.Equal(runs.GetInt64(0, 4), page.Value("fastload_reads_total", ("outcome", "ok")));
            Assert.Equal(readErrors, page.Value("fastload_reads_total") - page.Value("fastload_reads_total", ("outcome", "ok")));
            foreach (string outcome in (string[])["ok", "error", "rate_limited", "http_error", "connection_lost", "no_answer"])
                Assert.NotNull(page.Sum("fastload_reads_total", ("outcome", outcome))); // every outcome from the start
            Assert.Equal(reads, page.Value("fastload_read_latency_seconds_count"));
            Assert.Equal(reads, page.Value("fastload_read_latency_seconds_bucket", ("le", "+Inf")));
            // Each read is observed at its bucket's lower edge: at least 99 % of them are at or below the first bucket edge >= the file's p99.
            double edge = Runner.Monitoring.RunExporter.LatencyBuckets.First(b => b >= fileP99);
            double within = page.Value("fastload_read_latency_seconds_bucket", ("le", edge.ToString(C)));
            Assert.True(within >= Math.Ceiling(reads * 0.99), $"{within} of {reads} reads at or below {edge} s (file p99 {fileP99} s)");
            Assert.DoesNotContain("fastload_probe_phase", page.Names); // a run is not a probe
        }
    }

    [Fact]
    public async Task A_probe_publishes_its_current_phase_and_rate_and_the_sustainable_rate_once_a_hold_confirms_it()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string file = TestPaths.NewFile(".duckdb");
        int port = LocalAnvil.FreePort();
        // One step at the cap (20 tx/s, which anvil takes easily), then a hold at 20: two phases, answer 20.
        using var probe = RunningFastload.Start(Funder, "probe", "--rpc", node.Url.ToString(), "--start-rate", "20", "--max-rate", "20", "--step", "2s", "--hold", "3s",
            "--wallets", "10", "--out", file, "--no-live", "--metrics-port", port.ToString(C), "--metrics-linger", "60s");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        var seen = new List<(double Phase, double Rate, string Kind, double Passed, double? Sustainable)>();
        PrometheusText final = await MetricsScraper.UntilFinishedAsync(probe, http, port, TimeSpan.FromMilliseconds(150), page =>
        {
            if (page.Value("fastload_run_stage", ("stage", "setup")) == 1) Assert.DoesNotContain("fastload_probe_phase", page.Names);
            if (page.Sum("fastload_probe_phase") is double phase)
            {
                string kind = new[] { "step", "bisect", "hold" }.Single(k => page.Value("fastload_probe_phase_kind", ("kind", k)) == 1);
                seen.Add((phase, page.Value("fastload_probe_phase_rate_txs_per_second"), kind, page.Value("fastload_probe_phases_total", ("verdict", "pass")),
                    page.Sum("fastload_probe_sustainable_rate_txs_per_second")));
            }
        });
        await MetricsScraper.LingeringThenStopAsync(probe, http, port);
        Assert.Contains("sustainable: 20 tx/s", probe.Output);

        string trace = string.Join("; ", seen);
        // The step came first (phase 0, no answer yet), then the hold (phase 1); the answer appeared only with the hold's pass.
        Assert.Contains((0.0, 20.0, "step", 0.0, (double?)null), seen);
        Assert.Contains(seen, s => s is { Phase: 1, Rate: 20, Kind: "hold", Passed: 1, Sustainable: null });
        int firstHold = seen.FindIndex(s => s.Kind == "hold"), lastStep = seen.FindLastIndex(s => s.Kind == "step");
        Assert.True(lastStep < firstHold, trace);
        Assert.All(seen.Where(s => s.Sustainable is not null), s => Assert.Equal((1.0, 2.0, 20.0), (s.Phase, s.Passed, s.Sustainable!.Value)));

        using DuckDBConnection db = DuckDbSql.Open(file);
        ResultTable run = db.Table("SELECT sustainable_rate, (SELECT count(*) FROM phases), (SELECT count(*) FILTER (verdict = 'PASS') FROM phases), (SELECT max(phase) FROM phases) FROM runs");
        Assert.Equal(run.GetDouble(0, 0), final.Value("fastload_probe_sustainable_rate_txs_per_second"));
        Assert.Equal(run.GetInt64(0, 2), final.Value("fastload_probe_phases_total", ("verdict", "pass")));
        Assert.Equal(run.GetInt64(0, 1) - run.GetInt64(0, 2), final.Value("fastload_probe_phases_total", ("verdict", "fail")));
        Assert.Equal(run.GetInt64(0, 3), final.Value("fastload_probe_phase"));
    }
}

/// <summary>A read verdict without read traffic, or out of range: one line naming the flag and the fix, exit 2, nothing started.</summary>
public class ReadVerdictFlagTests
{
    [Theory]
    [InlineData("--expect-read-success 99", "fastload run: --expect-read-success judges read traffic: give --read-rate R too (reads/s)")]
    [InlineData("--expect-read-p99-ms 50", "fastload run: --expect-read-p99-ms judges read traffic: give --read-rate R too (reads/s)")]
    [InlineData("--expect-read-p99-ms 50 --read-rate 0", "fastload run: --expect-read-p99-ms judges read traffic: give --read-rate R too (reads/s)")]
    [InlineData("--expect-read-success 120 --read-rate 10", "fastload run: --expect-read-success is a percentage: give a value in (0, 100]")]
    [InlineData("--expect-read-p99-ms -5 --read-rate 10", "fastload run: --expect-read-p99-ms must be positive")]
    public async Task Bad_read_verdicts_are_one_line_and_exit_2(string args, string expected)
    {
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", ["run", .. args.Split(' ')]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(expected, r.StdErr.Trim());
        Assert.DoesNotContain("anvil", r.StdOut, StringComparison.OrdinalIgnoreCase);
    }
}
