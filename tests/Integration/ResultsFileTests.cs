using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Sink;
using FastLoad.Tests.Infrastructure;
using DuckDB.NET.Data;

namespace FastLoad.Tests.Integration;

/// <summary>`fastload run --out`: the results file against a real chain, after SIGKILL, and with verdicts.</summary>
public class ResultsFileTests
{
    private static Dictionary<string, string> Funder => new() { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey };

    [Fact]
    public async Task Sql_over_the_results_file_agrees_with_the_chain()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string file = TestPaths.NewFile(".duckdb");
        const string seed = "results-chain";
        const int wallets = 20;
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", Funder,
            "run", "--rpc", node.Url.ToString(), "--rate", "100", "--duration", "5s", "--wallets", wallets.ToString(CultureInfo.InvariantCulture), "--seed", seed, "--out", file, "--quiet");
        Assert.True(run.ExitCode == 0, run.StdErr + run.StdOut);
        Assert.Contains(file, run.StdOut);

        // Independently: our wallets' addresses from the seed, and every tx they sent in every block of the chain.
        var ours = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < wallets; i++) ours.Add(FastLoad.Engine.Wallets.WalletKeys.Derive(TestKeys.Funder, seed, (ulong)i).Address.ToString());
        long head = Convert.ToInt64((await node.CallAsync("eth_blockNumber"))!.GetValue<string>(), 16);
        var chainByBlock = new Dictionary<long, int>();
        var chainHashes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (long n = 0; n <= head; n++)
        {
            JsonNode block = (await node.CallAsync("eth_getBlockByNumber", "0x" + n.ToString("x", CultureInfo.InvariantCulture), true))!;
            foreach (JsonNode? tx in block["transactions"]!.AsArray())
            {
                if (!ours.Contains(tx!["from"]!.GetValue<string>())) continue;
                chainByBlock[n] = chainByBlock.GetValueOrDefault(n) + 1;
                chainHashes.Add(tx["hash"]!.GetValue<string>());
            }
        }
        Assert.True(chainHashes.Count >= 400, $"only {chainHashes.Count} of our txs on chain");

        using DuckDBConnection db = DuckDbSql.Open(file);
        // Rows with an inclusion block == our txs in those blocks, block by block, and they are the same txs.
        ResultTable byBlock = db.Table("SELECT block, count(*) FROM txs WHERE block IS NOT NULL GROUP BY block ORDER BY block");
        var fileByBlock = new Dictionary<long, int>();
        for (int r = 0; r < byBlock.RowCount; r++) fileByBlock[byBlock.GetInt64(r, 0)] = (int)byBlock.GetInt64(r, 1);
        Assert.Equal(chainByBlock.OrderBy(p => p.Key), fileByBlock.OrderBy(p => p.Key));
        ResultTable included = db.Table("SELECT tx_hash FROM txs WHERE block IS NOT NULL");
        var fileHashes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int r = 0; r < included.RowCount; r++) fileHashes.Add(included.GetString(r, 0)!);
        Assert.True(chainHashes.SetEquals(fileHashes));

        // Per wallet: max nonce + 1 == the on-chain nonce.
        ResultTable nonces = db.Table("SELECT address, max(nonce) + 1 FROM txs WHERE outcome = 'accepted' GROUP BY address");
        Assert.Equal(wallets, nonces.RowCount);
        for (int r = 0; r < nonces.RowCount; r++)
        {
            string address = nonces.GetString(r, 0)!;
            long onChain = Convert.ToInt64((await node.CallAsync("eth_getTransactionCount", address, "latest"))!.GetValue<string>(), 16);
            Assert.True(onChain == nonces.GetInt64(r, 1), $"{address}: file says {nonces.GetInt64(r, 1)}, chain says {onChain}");
        }

        // The run's row and the other tables are filled in.
        ResultTable runs = db.Table("SELECT status, sent, accepted, included, dropped_records, targets, ended_at IS NOT NULL FROM runs");
        Assert.Equal("complete", runs.GetString(0, 0));
        Assert.Equal(db.Table("SELECT count(*) FROM txs").GetInt64(0, 0), runs.GetInt64(0, 1));
        Assert.Equal(chainHashes.Count, runs.GetInt64(0, 3));
        Assert.Equal(0, runs.GetInt64(0, 4));
        Assert.Equal(node.Url.ToString(), runs.GetString(0, 5));
        Assert.True(runs.GetBoolean(0, 6));
        Assert.Equal(chainByBlock.Values.Sum(), db.Table("SELECT sum(our_tx_count) FROM blocks").GetInt64(0, 0));
        Assert.True(db.Table("SELECT count(*) FROM samples WHERE sent > 0").GetInt64(0, 0) >= 4);
    }

    [Fact]
    public async Task After_sigkill_the_file_opens_and_holds_every_tx_acked_up_to_a_second_before()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string file = TestPaths.NewFile(".duckdb");
        const double rate = 200;
        using var fastload = RunningFastload.Start(Funder,
            "run", "--rpc", node.Url.ToString(), "--rate", "200", "--duration", "60s", "--wallets", "20", "--seed", "results-kill", "--out", file);
        await fastload.WaitForLineAsync("4s] sent", TimeSpan.FromSeconds(90));
        await Task.Delay(700); // kill at an arbitrary point between two flushes
        DateTime killedAt = DateTime.UtcNow;
        fastload.Process.Kill(); // SIGKILL
        await fastload.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

        using DuckDBConnection db = DuckDbSql.Open(file); // replays the WAL
        ResultTable run = db.Table("SELECT status, epoch_us(started_at) FROM runs");
        Assert.Equal("running", run.GetString(0, 0));
        long killedUs = (killedAt - DateTime.UnixEpoch).Ticks / 10 - run.GetInt64(0, 1);
        long cutoffUs = killedUs - 1_000_000;
        Assert.True(cutoffUs > 3_000_000, $"killed {killedUs} µs after the start");

        // Acks reach at least one second before the kill...
        long maxAck = db.Table("SELECT max(ack_us) FROM tx_log").GetInt64(0, 0);
        Assert.True(maxAck >= cutoffUs, $"last ack in the file at {maxAck} µs, kill at {killedUs} µs");
        // ...and none is missing: at a fixed rate the limiter meant tx k for k / rate, so every tx meant to go
        // 200 ms before the cutoff (acked by the cutoff on a local node) must have its row.
        long horizonUs = cutoffUs - 200_000;
        long expected = (long)Math.Floor(horizonUs * rate / 1_000_000.0) + 1;
        long rows = db.Table($"SELECT count(*) FROM tx_log WHERE intended_us < {horizonUs}").GetInt64(0, 0);
        Assert.True(Math.Abs(rows - expected) <= 1, $"{rows} rows meant before {horizonUs} µs, expected {expected}");
        Assert.Equal(0, db.Table("SELECT count(*) FROM tx_log WHERE outcome <> 1").GetInt64(0, 0));
        // Every acked tx in the file is one the node really has.
        ResultTable sample = db.Table("SELECT tx_hash FROM txs ORDER BY id DESC LIMIT 5");
        for (int r = 0; r < sample.RowCount; r++)
            Assert.NotNull(await node.CallAsync("eth_getTransactionByHash", sample.GetString(r, 0)));
    }

    [Fact]
    public async Task Verdicts_print_pass_and_fail_and_a_fail_exits_1()
    {
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        string file = TestPaths.NewFile(".duckdb");
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", sink.Url.ToString(), "--rate", "500", "--duration", "2s", "--wallets", "10",
            "--out", file, "--quiet", "--expect-success", "99.5", "--expect-tps", "1000000", "--expect-p99-ms", "5000");
        Assert.True(run.ExitCode == 1, run.StdErr + run.StdOut);
        Assert.Matches(@"PASS  success +100\.00 % accepted \(expected >= 99\.50\)", run.StdOut);
        Assert.Matches(@"FAIL  tps +[0-9.,]+ accepted tx/s \(expected >= 1,000,000\.00\)", run.StdOut);
        Assert.Contains("PASS  p99_ms", run.StdOut);
        Assert.Contains("Verdict: FAIL", run.StdOut);

        using DuckDBConnection db = DuckDbSql.Open(file);
        Assert.Equal("FAIL", db.Table("SELECT verdict FROM runs").GetString(0, 0));
        ResultTable verdicts = db.Table("SELECT target, pass FROM verdicts ORDER BY target");
        Assert.Equal(3, verdicts.RowCount);
        Assert.Equal(("p99_ms", true), (verdicts.GetString(0, 0), verdicts.GetBoolean(0, 1)));
        Assert.Equal(("success", true), (verdicts.GetString(1, 0), verdicts.GetBoolean(1, 1)));
        Assert.Equal(("tps", false), (verdicts.GetString(2, 0), verdicts.GetBoolean(2, 1)));

        // The tps verdict judges the real rate (sent within the deadline), so leave room for a busy machine's first second.
        ProcessResult pass = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", sink.Url.ToString(), "--rate", "500", "--duration", "3s", "--wallets", "10",
            "--no-results", "--quiet", "--expect-success", "99.5", "--expect-tps", "250");
        Assert.True(pass.ExitCode == 0, pass.StdErr + pass.StdOut);
        Assert.Contains("Verdict: PASS", pass.StdOut);
        Assert.DoesNotContain("results ", pass.StdOut);
    }

    [Fact]
    public async Task A_run_writes_its_default_file_under_results_and_refuses_to_overwrite()
    {
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", sink.Url.ToString(), "--rate", "100", "--duration", "1s", "--wallets", "5", "--quiet");
        Assert.True(run.ExitCode == 0, run.StdErr + run.StdOut);
        string line = run.StdOut.Split('\n').Single(l => l.TrimStart().StartsWith("results ", StringComparison.Ordinal));
        string path = line.Trim()["results".Length..].Trim();
        Assert.Matches(@"/results/\d{8}-\d{6}(-\d+)?\.duckdb$", path);
        Assert.True(File.Exists(path));

        ProcessResult again = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", sink.Url.ToString(), "--duration", "1s", "--out", path);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.StdErr);
        Assert.Single(again.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        ProcessResult bad = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", sink.Url.ToString(), "--duration", "1s", "--out", "/proc/no/such/dir/x.duckdb");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("x.duckdb", bad.StdErr);
        Assert.DoesNotContain("   at ", bad.StdErr);
    }
}
