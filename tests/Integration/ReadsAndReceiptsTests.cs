using System.Globalization;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Results;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>
/// Issue 10: read traffic alongside the txs (<c>--read-rate</c>, <c>--read-method</c>) and receipts after the run
/// (<c>--receipts</c>), through the real <c>fastload run</c> against a real anvil. The read counts are judged against
/// their schedule, so these run alone.
/// </summary>
[Collection(nameof(SaturatingCollection))]
public class ReadsAndReceiptsTests
{
    private static readonly Dictionary<string, string> Funder = new() { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey };
    private const string DevAddress = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

    private static ResultTable Query(string file, string sql)
    {
        using DuckDBConnection db = DuckDbSql.Open(file);
        return ResultTable.Of(db, sql);
    }

    [Theory]
    [InlineData("eth_blockNumber")]
    [InlineData("eth_getBalance")]
    [InlineData("eth_call")]
    [InlineData("eth_getTransactionReceipt")]
    public async Task Reads_go_alongside_the_txs_each_one_a_row_with_its_latency_and_outcome(string method)
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string file = TestPaths.NewFile(".duckdb");
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", node.Url.ToString(), "--rate", "50", "--duration", "3s",
            "--wallets", "10", "--read-rate", "40", "--read-method", method, "--out", file, "--no-live");
        Assert.True(run.ExitCode == 0, run.StdErr + run.StdOut);

        ResultTable runs = Query(file, "SELECT schema_version, read_method, read_rate, reads, read_errors, read_p50_ms, read_p99_ms, sent FROM runs");
        Assert.Equal(ResultsSchema.Version, runs.GetInt64(0, 0));
        Assert.Equal(method, runs.GetString(0, 1));
        Assert.Equal(40, runs.GetDouble(0, 2));
        long reads = runs.GetInt64(0, 3);
        // 40 reads/s for 3 s is 120 due (token 0 at t = 0, so 121 by the deadline); the run reports any it fell behind on.
        Assert.InRange(reads, 115, 121);
        Assert.Equal(0, runs.GetInt64(0, 4));
        Assert.True(runs.GetDouble(0, 5) > 0 && runs.GetDouble(0, 6) >= runs.GetDouble(0, 5));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"reads        {method} at 40/s: sent {reads:N0}   ok {reads:N0}   errors 0"), run.StdOut);
        Assert.Contains("read latency p50", run.StdOut);

        // One row per read, all answered, each with its times in order and its latency from the intended time.
        ResultTable rows = Query(file, """
            SELECT count(*), count(DISTINCT id), count(*) FILTER (outcome = 'ok'), count(*) FILTER (error IS NOT NULL),
                   count(*) FILTER (intended_us <= ack_us AND sent_us <= ack_us AND latency_ms >= raw_latency_ms AND raw_latency_ms >= 0),
                   count(*) FILTER (node = 0 AND node_url IS NOT NULL), count(*) FILTER (method = $method)
            FROM reads
            """.Replace("$method", $"'{method}'", StringComparison.Ordinal));
        Assert.Equal(reads, rows.GetInt64(0, 0));
        Assert.Equal(reads, rows.GetInt64(0, 1));
        Assert.Equal(reads, rows.GetInt64(0, 2));
        Assert.Equal(0, rows.GetInt64(0, 3));
        Assert.Equal(reads, rows.GetInt64(0, 4));
        Assert.Equal(reads, rows.GetInt64(0, 5));
        long asMethod = rows.GetInt64(0, 6);
        if (method == "eth_getTransactionReceipt")
        {
            // eth_blockNumber stands in until the first tx is seen in a block (about the first second, with 1 s blocks).
            Assert.InRange(asMethod, reads / 3, reads - 1);
            Assert.Equal(reads - asMethod, Query(file, "SELECT count(*) FROM reads WHERE method = 'eth_blockNumber'").GetInt64(0, 0));
        }
        else
        {
            Assert.Equal(reads, asMethod);
        }
        // Each read was due on the smooth schedule: read k at k / 40 s.
        ResultTable schedule = Query(file, "SELECT count(*) FILTER (abs(intended_us - (row_number - 1) * 25000) > 2) FROM (SELECT intended_us, row_number() OVER (ORDER BY intended_us) AS row_number FROM read_log)");
        Assert.Equal(0, schedule.GetInt64(0, 0));
        // The per-second samples count them too, and the txs went as asked beside them.
        Assert.Equal(reads, Query(file, "SELECT sum(reads) FROM samples").GetInt64(0, 0));
        Assert.Equal(0, Query(file, "SELECT sum(read_errors) FROM samples").GetInt64(0, 0));
        Assert.InRange(runs.GetInt64(0, 7), 145, 151);
    }

    // A contract whose call reverts from the 4th call of each wallet on: f(uint256 x) reverts when x > 2 (x = {counter}),
    // so set-up's gas estimates (calls 0-2) pass and later calls are mined as reverted.
    // Runtime: PUSH1 4 CALLDATALOAD PUSH1 2 LT PUSH1 0x0a JUMPI STOP JUMPDEST PUSH1 0 DUP1 REVERT (2 < x: jump to the revert).
    private const string RevertsFromThirdCall = "0x600f600c600039600f6000f3" + "600435600210600a57005b600080fd";

    [Fact]
    public async Task Receipts_fill_gas_used_and_status_and_reverted_calls_are_counted_as_reverted()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string deployHash = (await node.CallAsync("eth_sendTransaction", new Dictionary<string, string> { ["from"] = DevAddress, ["data"] = RevertsFromThirdCall }))!.GetValue<string>();
        JsonNode? deployed = null;
        for (int i = 0; i < 100 && deployed is null; i++)
        {
            deployed = await node.CallAsync("eth_getTransactionReceipt", deployHash);
            if (deployed is null) await Task.Delay(100);
        }
        string contract = deployed!["contractAddress"]!.GetValue<string>();

        string file = TestPaths.NewFile(".duckdb");
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", node.Url.ToString(), "--rate", "30", "--duration", "3s",
            "--wallets", "6", "--workload", $"call:{contract}:f(uint256):{{counter}}", "--out", file, "--no-live");
        // The call workload's own check finds the reverted calls: a verdict that fails (exit 1), not a crash.
        Assert.True(run.ExitCode == 1, run.StdErr + run.StdOut);

        ResultTable runs = Query(file, "SELECT receipts_percent, receipts_fetched, reverted, included FROM runs");
        Assert.Equal(100, runs.GetDouble(0, 0)); // the call workload's default
        long included = runs.GetInt64(0, 3);
        Assert.Equal(included, runs.GetInt64(0, 1));
        long reverted = runs.GetInt64(0, 2);
        // Each wallet's calls 0-2 succeed, the rest revert. (Not 6 × 3 successes: the ring is filled by two signer threads
        // ahead of sending, so at 30 tx/s the 90 txs sent are the first 90 presigned, and a wallet may send fewer than 3,
        // or none.) Fresh wallets: a call's {counter} is its nonce.
        long expected = Query(file, "SELECT count(*) FROM txs WHERE block IS NOT NULL AND nonce > 2").GetInt64(0, 0);
        ResultTable perWallet = Query(file, "SELECT wallet, string_agg(nonce || ':' || coalesce(status, '?'), ' ' ORDER BY nonce) FROM txs WHERE block IS NOT NULL GROUP BY wallet ORDER BY wallet");
        string detail = string.Join("\n", Enumerable.Range(0, perWallet.RowCount).Select(r => $"wallet {perWallet.GetValue(r, 0)}: {perWallet.GetString(r, 1)}"));
        Assert.True(expected == reverted, $"{reverted} of {included} reverted, expected {expected}\n{detail}\n{run.StdOut}");
        Assert.True(reverted > 30, $"only {reverted} reverted");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{reverted:N0} reverted"), run.StdOut);
        Assert.Contains("REVERTED", run.StdOut);

        // Every included tx's row carries what the node's own receipt says.
        ResultTable txs = Query(file, "SELECT tx_hash, gas_used, status, nonce FROM txs WHERE block IS NOT NULL ORDER BY id");
        Assert.Equal(included, txs.RowCount);
        int revertedRows = 0;
        for (int r = 0; r < txs.RowCount; r++)
        {
            JsonNode receipt = (await node.CallAsync("eth_getTransactionReceipt", txs.GetString(r, 0)))!;
            Assert.Equal(Convert.ToInt64(receipt["gasUsed"]!.GetValue<string>(), 16), txs.GetInt64(r, 1));
            string status = receipt["status"]!.GetValue<string>() == "0x1" ? "success" : "reverted";
            Assert.Equal(status, txs.GetString(r, 2));
            if (status == "reverted") revertedRows++;
        }
        Assert.Equal(reverted, revertedRows);
        Assert.Equal(reverted, Query(file, "SELECT count(*) FROM txs WHERE status = 'reverted'").GetInt64(0, 0));
    }

    [Fact]
    public async Task Receipts_off_by_default_for_transfers_and_sampled_when_asked()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string plain = TestPaths.NewFile(".duckdb");
        ProcessResult first = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", node.Url.ToString(), "--rate", "50", "--duration", "2s", "--wallets", "5", "--out", plain, "--no-live");
        Assert.True(first.ExitCode == 0, first.StdErr + first.StdOut);
        ResultTable none = Query(plain, "SELECT receipts_percent, receipts_fetched, (SELECT count(gas_used) FROM txs), (SELECT count(status) FROM txs) FROM runs");
        Assert.Equal(0, none.GetDouble(0, 0));
        Assert.Null(none.GetValue(0, 1));
        Assert.Equal(0, none.GetInt64(0, 2));
        Assert.Equal(0, none.GetInt64(0, 3));
        Assert.DoesNotContain("receipts ", first.StdOut);

        string sampled = TestPaths.NewFile(".duckdb");
        ProcessResult second = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", node.Url.ToString(), "--rate", "100", "--duration", "3s", "--wallets", "5",
            "--receipts", "25%", "--out", sampled, "--no-live");
        Assert.True(second.ExitCode == 0, second.StdErr + second.StdOut);
        ResultTable some = Query(sampled, "SELECT receipts_percent, receipts_fetched, reverted, included, (SELECT count(*) FROM txs WHERE gas_used = 21000 AND status = 'success') FROM runs");
        Assert.Equal(25, some.GetDouble(0, 0));
        long fetched = some.GetInt64(0, 1);
        Assert.InRange(fetched, some.GetInt64(0, 3) / 8, some.GetInt64(0, 3) / 2); // about a quarter of the included txs
        Assert.Equal(0, some.GetInt64(0, 2));
        Assert.Equal(fetched, some.GetInt64(0, 4));
    }
}
