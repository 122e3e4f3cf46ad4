using System.Globalization;
using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Nodes;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>
/// Sequencer set-ups: txs sent to one endpoint (<c>--send-rpc</c>, a builder) while nonces, blocks and receipts come
/// from another (<c>--rpc</c>), and a preconfirmation stream (<c>--confirm-ws</c>) that mentions each tx before its
/// block. Both URLs front one anvil (counting what passes); the stream announces what enters the anvil's pending pool.
/// </summary>
public class SequencerSetupTests
{
    [Fact]
    public async Task Sends_go_to_the_send_endpoint_and_every_included_tx_is_preconfirmed_before_its_block_is_seen()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        await using RpcFront builder = await RpcFront.StartAsync(node.Url);
        await using RpcFront rpc = await RpcFront.StartAsync(node.Url);
        await using PendingTxStream stream = await PendingTxStream.StartAsync(node.Url);
        string file = TestPaths.NewFile(".duckdb");
        const int wallets = 10;
        // Blocks by polling (--ws none): the block-seen time is then an independent, later path than the pool's. The rate
        // comes from the environment, as in a container; a --duration there loses to the command line's.
        var environment = new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey, ["FASTLOAD_RATE"] = "40", ["FASTLOAD_DURATION"] = "1h" };
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", environment,
            "run", "--rpc", rpc.Url.ToString(), "--send-rpc", builder.Url.ToString(), "--confirm-ws", stream.Url.ToString(), "--ws", "none",
            "--duration", "4s", "--wallets", wallets.ToString(CultureInfo.InvariantCulture), "--seed", "sequencer-setup", "--out", file, "--no-live");
        Assert.True(run.ExitCode == 0, run.StdErr + run.StdOut);

        DuckDBConnection db = DuckDbSql.Open(file);
        ResultTable runs = db.Table("SELECT sent, included, preconfirmed, preconf_p50_ms, preconf_p99_ms, send_targets, targets, target_rate, command_line, duration_s FROM runs");
        Assert.Equal(40, runs.GetDouble(0, 7));
        Assert.EndsWith("[environment] --rate 40", runs.GetString(0, 8));
        Assert.InRange(runs.GetDouble(0, 9), 3.9, 4.1);
        long sent = runs.GetInt64(0, 0), included = runs.GetInt64(0, 1);
        Assert.True(sent >= 100, $"only {sent} sent");
        Assert.Equal(sent, included); // anvil includes every tx
        // Every tx of the run went to the send endpoint, none of them to --rpc (which only saw the funding txs).
        // Nonces, blocks and chain from --rpc; the send endpoint saw nothing but sends.
        RpcFront.AssertSendsWentTo(builder, rpc, sent, wallets);
        Assert.Equal(builder.Url.ToString().TrimEnd('/'), runs.GetString(0, 5)!.TrimEnd('/'));
        Assert.Equal(rpc.Url.ToString().TrimEnd('/'), runs.GetString(0, 6)!.TrimEnd('/'));

        // The requirement: every included tx has a preconfirmation time, earlier than its block-seen time.
        ResultTable txs = db.Table("""
            SELECT count(*) FILTER (block IS NOT NULL),
                   count(*) FILTER (block IS NOT NULL AND preconf_us IS NOT NULL AND preconf_us < block_seen_us),
                   count(*) FILTER (preconf_us IS NOT NULL AND preconf_us < sent_us),
                   min(block_seen_us - preconf_us)
            FROM txs
            """);
        Assert.Equal(included, txs.GetInt64(0, 0));
        Assert.Equal(included, txs.GetInt64(0, 1));
        Assert.Equal(0, txs.GetInt64(0, 2)); // and never before the tx went out
        Assert.True(txs.GetInt64(0, 3) > 0);
        Assert.Equal(included, runs.GetInt64(0, 2));
        Assert.True(runs.GetDouble(0, 3) > 0 && runs.GetDouble(0, 3) <= runs.GetDouble(0, 4));
        // The stream's own row: its url, messages read, and that it mentioned every tx once.
        ResultTable streams = db.Table("SELECT stream, url, messages, hashes, preconfirmed, preconf_p50_ms, connects, (SELECT count(*) FROM tx_preconfs) FROM streams");
        Assert.Equal(1, streams.RowCount);
        Assert.Equal(stream.Url.ToString(), streams.GetString(0, 1));
        Assert.True(streams.GetInt64(0, 2) > 0 && streams.GetInt64(0, 2) <= stream.Messages);
        Assert.True(streams.GetInt64(0, 3) >= sent);
        Assert.Equal(included, streams.GetInt64(0, 4));
        Assert.Equal(1, streams.GetInt64(0, 6));
        Assert.Equal(included, streams.GetInt64(0, 7));

        db.Dispose(); // `fastload report` opens it next

        // The summary says it too, per stream.
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"preconfirmed {included:N0} of {sent:N0} accepted txs by 1 stream(s)"), run.StdOut);
        Assert.Contains($"stream 0 {stream.Url}", run.StdOut);
        Assert.Contains("preconf p50/p99", run.StdOut);

        // And `fastload report`, text and HTML.
        string html = TestPaths.NewFile(".html");
        ProcessResult report = await ProcessRunner.RunFastloadAsync("", "report", file, "--html", html);
        Assert.True(report.ExitCode == 0, report.StdErr + report.StdOut);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"preconf      {included:N0} txs by 1 stream(s)"), report.StdOut);
        Assert.Contains($"stream 0 {stream.Url}", report.StdOut);
        Assert.Contains("preconf p50 / p99 ms", await File.ReadAllTextAsync(html));
    }

    [Fact]
    public async Task Preconfirmations_show_in_the_progress_lines_and_metrics_and_the_last_scrape_equals_the_results_file()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        await using PendingTxStream stream = await PendingTxStream.StartAsync(node.Url);
        string file = TestPaths.NewFile(".duckdb");
        int port = LocalAnvil.FreePort();
        using var fastload = RunningFastload.Start(new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey },
            "run", "--rpc", node.Url.ToString(), "--confirm-ws", stream.Url.ToString(), "--rate", "40", "--duration", "4s", "--wallets", "10",
            "--seed", "preconf-metrics", "--out", file, "--no-live", "--metrics-port", port.ToString(CultureInfo.InvariantCulture), "--metrics-linger", "60s");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var preconfirmedWhileSending = new List<double>();
        PrometheusText final = await MetricsScraper.UntilFinishedAsync(fastload, http, port, TimeSpan.FromMilliseconds(200), page =>
        {
            if (page.Value("fastload_run_stage", ("stage", "sending")) == 1) preconfirmedWhileSending.Add(page.Value("fastload_txs_preconfirmed_total"));
        });
        PrometheusText lingering = await MetricsScraper.LingeringThenStopAsync(fastload, http, port);

        using DuckDBConnection db = DuckDbSql.Open(file);
        ResultTable runs = db.Table("SELECT preconfirmed, (SELECT messages FROM streams), (SELECT preconfirmed FROM streams), included FROM runs");
        long preconfirmed = runs.GetInt64(0, 0);
        Assert.True(preconfirmed >= 100 && preconfirmed == runs.GetInt64(0, 3), $"{preconfirmed} preconfirmed, {runs.GetInt64(0, 3)} included");
        // While sending, the count grew from scrape to scrape (it is live, not filled in at the end).
        Assert.True(preconfirmedWhileSending.Distinct().Count() >= 3, string.Join(", ", preconfirmedWhileSending));
        Assert.True(preconfirmedWhileSending.Zip(preconfirmedWhileSending.Skip(1)).All(p => p.Second >= p.First), string.Join(", ", preconfirmedWhileSending));
        // The last scrape and the lingering one say what the results file says.
        (string, string)[] streamLabels = [("stream", "0"), ("url", stream.Url.ToString())];
        foreach (PrometheusText page in new[] { final, lingering })
        {
            Assert.Equal(preconfirmed, page.Value("fastload_txs_preconfirmed_total"));
            Assert.Equal(preconfirmed, page.Value("fastload_preconf_earliest_latency_seconds_count"));
            Assert.Equal(runs.GetInt64(0, 2), page.Value("fastload_preconf_stream_txs_total", streamLabels));
            Assert.Equal(runs.GetInt64(0, 2), page.Value("fastload_preconf_latency_seconds_count", streamLabels));
            Assert.Equal(runs.GetInt64(0, 1), page.Value("fastload_preconf_stream_messages_total", streamLabels));
            Assert.True(page.Value("fastload_preconf_latency_seconds_sum", streamLabels) / preconfirmed is > 0 and < 5, page.Raw);
        }
        // The plain progress lines carry the count and its percentiles.
        string[] lines = fastload.Output.Split('\n').Where(l => l.StartsWith('[') && l.Contains(" preconf ", StringComparison.Ordinal)).ToArray();
        Assert.True(lines.Length >= 3, fastload.Output);
        Assert.Matches(@"preconf [0-9,]+ p50/p99 [0-9.,]+/[0-9.,]+ ms", lines[^1]);
    }

    [Fact]
    public async Task A_confirmation_stream_that_cannot_be_opened_stops_the_run_before_sending()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey },
            "run", "--rpc", node.Url.ToString(), "--confirm-ws", "ws://127.0.0.1:1/stream", "--rate", "10", "--duration", "2s", "--wallets", "2", "--no-results");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--confirm-ws ws://127.0.0.1:1/stream could not be opened", run.StdErr);
        Assert.DoesNotContain("Sending at", run.StdOut);
        Assert.DoesNotContain("   at ", run.StdErr);
    }
}
