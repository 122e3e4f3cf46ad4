using System.Globalization;
using System.Text.RegularExpressions;
using FastLoad.Engine.DuckDb;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>
/// The options <c>fastload probe</c> shares with <c>run</c> (LoadFlags): read traffic beside the probe's txs, and txs
/// sent to another endpoint (<c>--send-rpc</c>) with preconfirmations from a stream (<c>--confirm-ws</c>). Each probe is
/// one step and one hold at 20 tx/s, which a 1 s-block anvil takes easily: every phase passes and the answer is 20.
/// </summary>
[Collection(nameof(SaturatingCollection))]
public class ProbeOptionsTests
{
    private static readonly Dictionary<string, string> Funder = new() { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey };
    private static readonly string[] ShortProbe = ["--start-rate", "20", "--max-rate", "20", "--step", "1s", "--hold", "1s", "--no-live"];

    [Fact]
    public async Task Reads_beside_a_probe_are_recorded_and_leave_every_phase_passing()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string file = TestPaths.NewFile(".duckdb");
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", Funder,
            ["probe", "--rpc", node.Url.ToString(), "--wallets", "10", "--seed", "probe-reads", "--out", file, "--read-rate", "20", "--read-method", "eth_getBalance", .. ShortProbe]);
        string output = result.StdOut + result.StdErr;
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{output}");
        Assert.Equal("sustainable: 20 tx/s", result.StdOut.TrimEnd().Split('\n')[^1]);

        using var db = DuckDbSql.Open(file);
        // The verdicts are the txs' alone: the step and the hold both pass at 20 tx/s, as without reads.
        ResultTable phases = db.Table("SELECT kind, rate, verdict FROM phases ORDER BY phase");
        Assert.Equal(2, phases.RowCount);
        Assert.Equal(("step", "PASS"), (phases.GetString(0, 0), phases.GetString(0, 2)));
        Assert.Equal(("hold", "PASS"), (phases.GetString(1, 0), phases.GetString(1, 2)));
        Assert.Equal(20, phases.GetDouble(1, 1));

        ResultTable run = db.Table("SELECT read_method, read_rate, reads, read_errors, duration_s, sustainable_rate, (SELECT count(*) FROM read_log), (SELECT sum(reads) FROM samples) FROM runs");
        Assert.Equal("eth_getBalance", run.GetString(0, 0));
        Assert.Equal(20, run.GetDouble(0, 1));
        Assert.Equal(20, run.GetDouble(0, 5));
        long reads = run.GetInt64(0, 2);
        double seconds = run.GetDouble(0, 4);
        // 20 reads/s over the whole sending span (phases and the fee waits between them); generous below, exact above.
        Assert.InRange(reads, (long)(0.5 * 20 * seconds), (long)(20 * seconds) + 2);
        Assert.Equal(0, run.GetInt64(0, 3));
        Assert.Equal(reads, run.GetInt64(0, 6));
        // The per-second samples count them too, up to the last whole second (a partial last second is not sampled).
        Assert.InRange(run.GetInt64(0, 7), reads - 20, reads);
        ResultTable rows = db.Table("SELECT count(*), count(*) FILTER (outcome = 'ok'), count(*) FILTER (method = 'eth_getBalance') FROM reads");
        Assert.Equal(reads, rows.GetInt64(0, 0));
        Assert.Equal(reads, rows.GetInt64(0, 1));
        Assert.Equal(reads, rows.GetInt64(0, 2));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"reads        eth_getBalance at 20/s: sent {reads:N0}   ok {reads:N0}   errors 0"), result.StdOut);
    }

    [Fact]
    public async Task A_probe_sends_its_txs_to_the_send_endpoint_and_records_preconfirmations()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        await using RpcFront builder = await RpcFront.StartAsync(node.Url);
        await using RpcFront rpc = await RpcFront.StartAsync(node.Url);
        await using PendingTxStream stream = await PendingTxStream.StartAsync(node.Url);
        string file = TestPaths.NewFile(".duckdb");
        const int wallets = 10;
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", Funder,
            ["probe", "--rpc", rpc.Url.ToString(), "--send-rpc", builder.Url.ToString(), "--confirm-ws", stream.Url.ToString(), "--ws", "none",
             "--wallets", wallets.ToString(CultureInfo.InvariantCulture), "--seed", "probe-send-rpc", "--out", file, .. ShortProbe]);
        string output = result.StdOut + result.StdErr;
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{output}");
        Assert.Matches(new Regex("^sustainable: 20 tx/s$"), result.StdOut.TrimEnd().Split('\n')[^1]);

        using var db = DuckDbSql.Open(file);
        ResultTable run = db.Table("SELECT sent, included, preconfirmed, send_targets, targets, (SELECT count(*) FROM phases WHERE verdict = 'PASS') FROM runs");
        long sent = run.GetInt64(0, 0), included = run.GetInt64(0, 1);
        Assert.True(sent >= 20, $"only {sent} sent\n{output}");
        Assert.Equal(sent, included);
        Assert.Equal(2, run.GetInt64(0, 5));
        // Every tx of the probe went to the send endpoint; --rpc saw only the funding and nonces, blocks and the chain.
        RpcFront.AssertSendsWentTo(builder, rpc, sent, wallets);
        Assert.Equal(builder.Url.ToString().TrimEnd('/'), run.GetString(0, 3)!.TrimEnd('/'));
        Assert.Equal(rpc.Url.ToString().TrimEnd('/'), run.GetString(0, 4)!.TrimEnd('/'));
        // The stream mentioned every included tx before its block was seen.
        Assert.Equal(included, run.GetInt64(0, 2));
        Assert.Equal(included, db.Table("SELECT count(*) FROM txs WHERE preconf_us IS NOT NULL AND preconf_us < block_seen_us").GetInt64(0, 0));
    }

    [Theory]
    [InlineData("--send-rpc ftp://builder", "fastload probe: --send-rpc: 'ftp://' is not supported")]
    [InlineData("--send-rpc http://127.0.0.1:3,http://127.0.0.1:4", "fastload probe: --send-rpc gives 2 URLs for 1 --rpc nodes")]
    [InlineData("--confirm-ws http://stream:8546", "fastload probe: --confirm-ws 'http://stream:8546' is not a ws:// or wss:// URL")]
    [InlineData("--read-rate -1", "fastload probe: --read-rate -1 is not a rate: give reads/s, 0 or more")]
    [InlineData("--read-rate 10 --read-method foo", "fastload probe: --read-method 'foo' is unknown")]
    [InlineData("--read-method eth_call", "fastload probe: --read-method applies to read traffic: give --read-rate R too")]
    public async Task Bad_values_of_the_shared_flags_are_one_line_and_exit_2(string args, string expected)
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", ["probe", "--rpc", "http://127.0.0.1:1", .. args.Split(' ')]);
        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith(expected, result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
