using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Nodes;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>
/// Issue 12 part 1: <c>--metrics-port</c> serves /metrics while a run lives, and what it says at the end is what the
/// results file says. Load-judged (a live run's rates and latencies), so run alone.
/// </summary>
[Collection(nameof(SaturatingCollection))]
public class MetricsEndpointTests
{
    private static readonly Dictionary<string, string> Funder = new() { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey };

    [Fact]
    public async Task Scrapes_of_a_live_run_count_up_and_the_last_one_equals_the_results_file_totals()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        string file = TestPaths.NewFile(".duckdb");
        int port = LocalAnvil.FreePort();
        using var fastload = RunningFastload.Start(Funder, "run", "--rpc", node.Url.ToString(), "--rate", "100", "--duration", "4s", "--wallets", "20",
            "--out", file, "--no-live", "--metrics-port", port.ToString(CultureInfo.InvariantCulture), "--metrics-linger", "60s");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        // Scrape every 200 ms from start to finish, as a Prometheus server would (faster).
        var sentWhileSending = new List<double>();
        PrometheusText? sending = null;
        var stages = new List<string>(); // the stage of each scrape
        PrometheusText final = await MetricsScraper.UntilFinishedAsync(fastload, http, port, TimeSpan.FromMilliseconds(200), page =>
        {
            stages.Add(new[] { "setup", "sending", "draining", "finished" }.Single(stage => page.Value("fastload_run_stage", ("stage", stage)) == 1));
            if (page.Value("fastload_run_stage", ("stage", "sending")) == 1)
            {
                sentWhileSending.Add(page.Value("fastload_txs_sent_total"));
                sending = page;
            }
        });
        // The results file is written before the linger: wait for that line, then stop the process (it exits 0).
        PrometheusText lingering = await MetricsScraper.LingeringThenStopAsync(fastload, http, port);

        // While it ran: one stage at a time, never going back; the counters grew scrape by scrape; the gauges were live.
        string[] order = ["setup", "sending", "draining", "finished"];
        Assert.True(stages.Zip(stages.Skip(1)).All(p => Array.IndexOf(order, p.Second) >= Array.IndexOf(order, p.First)), string.Join(", ", stages));
        Assert.True(sentWhileSending.Count >= 5, $"{sentWhileSending.Count} scrapes while sending");
        Assert.True(sentWhileSending.Zip(sentWhileSending.Skip(1)).All(p => p.Second >= p.First), string.Join(", ", sentWhileSending));
        Assert.True(sentWhileSending.Distinct().Count() >= 3, string.Join(", ", sentWhileSending));
        Assert.Equal(100, sending!.Value("fastload_target_rate_txs_per_second"));
        Assert.Equal(20, sending.Value("fastload_wallets"));
        Assert.True(sending.Value("fastload_ring_capacity_txs") >= 256);

        using DuckDBConnection db = DuckDbSql.Open(file);
        ResultTable runs = db.Table("""
            SELECT sent, accepted, errors, included, bound_by, (SELECT count(*) FROM tx_log), (SELECT count(*) FROM txs WHERE block IS NOT NULL)
            FROM runs
            """);
        long sent = runs.GetInt64(0, 0), accepted = runs.GetInt64(0, 1), errors = runs.GetInt64(0, 2), included = runs.GetInt64(0, 3);
        Assert.InRange(sent, 380, 401); // 100 tx/s for 4 s
        Assert.Equal(sent, runs.GetInt64(0, 5));
        Assert.True(included > 0, "nothing included");
        Assert.Equal(included, runs.GetInt64(0, 6));

        // The must-show: the last scrape's totals are the results file's.
        foreach (PrometheusText page in new[] { final, lingering })
        {
            double landed = page.Value("fastload_txs_lost_answer_landed_total");
            Assert.Equal(sent, page.Value("fastload_txs_sent_total"));
            Assert.Equal(sent, page.Value("fastload_txs_acked_total")); // every tx answered
            Assert.Equal(accepted, page.Value("fastload_txs_accepted_total") + landed);
            Assert.Equal(errors, page.Value("fastload_tx_errors_total") - landed);
            Assert.Equal(included, page.Value("fastload_txs_included_total"));
            Assert.Equal(included, page.Value("fastload_txs_included_total", ("node", "0"), ("url", node.Url.ToString())));
            // Histograms hold every answered and every included tx, within their buckets (0.5 ms .. 65.5 s).
            Assert.Equal(sent, page.Value("fastload_ack_latency_seconds_count"));
            Assert.Equal(sent, page.Value("fastload_ack_latency_seconds_bucket", ("le", "+Inf")));
            Assert.Equal(sent, page.Value("fastload_ack_latency_seconds_bucket", ("le", "65.536")));
            Assert.Equal(included, page.Value("fastload_inclusion_latency_seconds_count"));
            Assert.True(page.Value("fastload_inclusion_latency_seconds_sum") / included is > 0 and < 10, page.Raw);
            Assert.Equal(0, page.Value("fastload_txs_in_flight"));
            Assert.Equal(1, page.Value("fastload_bound_by", ("part", runs.GetString(0, 4)!)));
            Assert.Equal(1, page.Sum("fastload_bound_by"));
            Assert.Contains("process_cpu_seconds_total", page.Names);
            Assert.DoesNotContain(page.Names, name => name.StartsWith("fastload_preconf", StringComparison.Ordinal) || name == "fastload_txs_preconfirmed_total"); // no --confirm-ws
        }
    }

    [Fact]
    public async Task A_real_Prometheus_server_scraping_a_run_and_the_sink_every_second_answers_the_results_file_totals()
    {
        int sinkPort = LocalAnvil.FreePort(), sinkMetrics = LocalAnvil.FreePort(), runMetrics = LocalAnvil.FreePort();
        using var sink = RunningFastload.Start(null, "sink", "--port", sinkPort.ToString(CultureInfo.InvariantCulture), "--quiet",
            "--metrics-port", sinkMetrics.ToString(CultureInfo.InvariantCulture));
        await sink.WaitForLineAsync("sink listening", TimeSpan.FromSeconds(30));
        await using PrometheusServer prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{sinkMetrics}", $"127.0.0.1:{runMetrics}");

        string file = TestPaths.NewFile(".duckdb");
        using var fastload = RunningFastload.Start(Funder, "run", "--rpc", $"http://127.0.0.1:{sinkPort}", "--rate", "400", "--duration", "6s", "--wallets", "40",
            "--out", file, "--no-live", "--metrics-port", runMetrics.ToString(CultureInfo.InvariantCulture), "--metrics-linger", "60s");

        // Wait until Prometheus has scraped the finished run (stage finished).
        var waited = Stopwatch.StartNew();
        while (await prometheus.ScalarAsync("fastload_run_stage{stage=\"finished\"}") != 1)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(120), $"Prometheus never saw the run finish: {fastload.Output}\n{prometheus.Log}");
            Assert.False(fastload.Process.HasExited, fastload.Output);
            await Task.Delay(250);
        }
        // Wait one more scrape of the sink, which has no stage: the run's last answer is counted there before the run finishes.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        double promSent = (await prometheus.ScalarAsync("fastload_txs_sent_total"))!.Value;
        double promAccepted = (await prometheus.ScalarAsync("fastload_txs_accepted_total"))!.Value;
        double promErrors = (await prometheus.ScalarAsync("sum(fastload_tx_errors_total)"))!.Value;
        double promSink = (await prometheus.ScalarAsync("fastload_sink_txs_accepted_total"))!.Value;
        double promAckCount = (await prometheus.ScalarAsync("fastload_ack_latency_seconds_count"))!.Value;
        // While it ran, Prometheus held the count as it grew: several samples, the first below the final one, and a sending stage.
        double? samples = await prometheus.ScalarAsync("count_over_time(fastload_txs_sent_total[5m])");
        double? first = await prometheus.ScalarAsync("min_over_time(fastload_txs_sent_total[5m])");
        double? sawSending = await prometheus.ScalarAsync("max_over_time(fastload_run_stage{stage=\"sending\"}[5m])");
        double? p99 = await prometheus.ScalarAsync("histogram_quantile(0.99, sum by (le) (fastload_ack_latency_seconds_bucket))");

        await fastload.WaitForLineAsync("serving the final figures", TimeSpan.FromSeconds(30));
        using (var kill = Process.Start("kill", ["-TERM", fastload.Process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await fastload.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(fastload.Process.ExitCode == 0, fastload.Output);
        using (var kill = Process.Start("kill", ["-TERM", sink.Process.Id.ToString(CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
        await sink.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        using DuckDBConnection db = DuckDbSql.Open(file);
        ResultTable runs = db.Table("SELECT sent, accepted, errors, ack_p99_ms FROM runs");
        long sent = runs.GetInt64(0, 0);
        Assert.InRange(sent, 2300, 2401); // 400 tx/s for 6 s
        Assert.True(samples >= 3, $"{samples} samples");
        Assert.True(first < sent, $"first sample {first} of {sent}");
        Assert.Equal(1, sawSending);
        Assert.Equal(sent, promSent);
        Assert.Equal(runs.GetInt64(0, 1), promAccepted);
        Assert.Equal(runs.GetInt64(0, 2), promErrors);
        Assert.Equal(sent, promAckCount);
        // The sink, the far end, counted exactly the txs the run sent (the wallets needed no funding from it).
        Assert.Equal(sent, promSink);
        // Prometheus's p99 from the buckets is the bucket edge at or above the file's p99 (buckets double).
        double fileP99 = runs.GetDouble(0, 3) / 1000;
        Assert.NotNull(p99);
        Assert.InRange(p99!.Value, fileP99 / 2.05, Math.Max(fileP99 * 2.05, 0.0005));
    }
}

/// <summary>Bad --metrics-* input: one line naming the flag and the fix, exit 2, nothing started.</summary>
public class MetricsFlagTests
{
    [Theory]
    [InlineData("run")]
    [InlineData("probe")]
    [InlineData("sink")]
    public async Task A_port_out_of_range_is_one_line_and_exit_2(string command)
    {
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", command, "--metrics-port", "70000");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal($"fastload {command}: --metrics-port 70000 is not a TCP port: give one from 1 to 65535 (e.g. --metrics-port 9464)", r.StdErr.Trim());
    }

    [Theory]
    [InlineData("run")]
    [InlineData("probe")]
    [InlineData("sink")]
    public async Task A_port_in_use_is_one_line_and_exit_2_before_anything_starts(string command)
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        // run and probe would start a local anvil first: they must fail before that (no anvil line).
        string[] args = command == "sink" ? ["sink", "--port", "0"] : [command];
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", [.. args, "--metrics-port", port.ToString(CultureInfo.InvariantCulture)]);
        Assert.Equal(2, r.ExitCode);
        string line = $"fastload {command}: --metrics-port {port}: 127.0.0.1:{port} is already in use: stop whatever listens there or choose another --metrics-port";
        Assert.Equal(line, r.StdErr.Trim());
        Assert.DoesNotContain("anvil", r.StdOut, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("   at ", r.StdOut + r.StdErr);
    }

    [Fact]
    public async Task A_host_that_is_not_an_address_or_given_without_a_port_is_one_line_and_exit_2()
    {
        ProcessResult bad = await ProcessRunner.RunFastloadAsync("", "run", "--metrics-port", "9464", "--metrics-host", "nope");
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal("fastload run: --metrics-host 'nope' is not an IP address: give e.g. 127.0.0.1 (the default), 0.0.0.0 for every address, or localhost", bad.StdErr.Trim());
        ProcessResult alone = await ProcessRunner.RunFastloadAsync("", "sink", "--metrics-host", "0.0.0.0");
        Assert.Equal(2, alone.ExitCode);
        Assert.Equal("fastload sink: --metrics-host applies to the /metrics endpoint: give --metrics-port P too", alone.StdErr.Trim());
    }
}
