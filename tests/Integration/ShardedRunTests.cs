using System.Diagnostics;
using System.Globalization;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Load;
using FastLoad.Engine.Results;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>
/// Issue 12 part 3: three `fastload run --shard i/3` processes against one anvil, begun together with --start-at, their
/// three results files checked with SQL (as `fastload query` runs it) and merged (as `fastload report` reads them).
/// </summary>
[Collection(nameof(SaturatingCollection))]
public class ShardedRunTests
{
    private const int Shards = 3;
    private const double Rate = 300;     // for all shards together: 100 tx/s each
    private const double Seconds = 6;

    [Fact]
    public async Task Two_shards_of_a_token_workload_each_set_up_from_their_own_funder_and_pass_their_ledger_checks()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string dir = Directory.CreateDirectory(Path.Combine(TestPaths.Scratch, $"erc20-shards-{Guid.NewGuid():N}")).FullName;
        // Set-up of two processes at once (top-up, deploy, grant, mint, fund, sign ahead): 40 s of room.
        string start = RunOptions.FormatStartAt(DateTimeOffset.UtcNow.AddSeconds(40));
        var env = new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey };
        ulong devNonceBefore = await node.NonceAsync(DevAddress, "latest");
        Task<ProcessResult>[] runs = Enumerable.Range(0, 2).Select(i => ProcessRunner.RunFastloadAsync("", env,
            "run", "--rpc", node.Url.ToString(), "--shard", $"{i}/2", "--workload", "erc20", "--rate", "40", "--duration", "3s",
            "--wallets", "12", "--start-at", start, "--out", Path.Combine(dir, $"shard-{i}.duckdb"), "--no-live")).ToArray();
        ProcessResult[] results = await Task.WhenAll(runs);
        var tokens = new List<string>();
        for (int i = 0; i < 2; i++)
        {
            // Exit 0: the token ledger check of the shard's own wallets passed (a mismatch is a failed verdict, exit 1).
            Assert.True(results[i].ExitCode == 0, $"shard {i}/2 exit {results[i].ExitCode}: {results[i].StdErr}\n{results[i].StdOut}");
            Assert.Contains($"Shard {i}/2: topping up its own funder", results[i].StdOut);
            Assert.Contains("0 mismatches", results[i].StdOut);
            using var db = DuckDbSql.Open(Path.Combine(dir, $"shard-{i}.duckdb"));
            ResultTable contract = db.Table("SELECT address, deploy_tx FROM contracts");
            Assert.Equal(1, contract.RowCount);
            tokens.Add(contract.GetString(0, 0)!);
            // Deployed by the shard's own funder, not by the funder key.
            var deploy = await node.CallAsync("eth_getTransactionByHash", contract.GetString(0, 1)!);
            Assert.NotEqual(DevAddress, deploy!["from"]!.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
            Assert.True(db.Table("SELECT accepted FROM runs").GetInt64(0, 0) > 0);
        }
        Assert.NotEqual(tokens[0], tokens[1]); // a token each
        // The funder key itself sent only the shards' top-ups (one or two each: set-up, then funding if still short).
        Assert.InRange(await node.NonceAsync(DevAddress, "latest") - devNonceBefore, 2UL, 4UL);
    }

    private const string DevAddress = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

    [Fact]
    public async Task Three_shards_use_disjoint_wallets_keep_nonces_right_and_merge_into_the_whole_run()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string dir = Directory.CreateDirectory(Path.Combine(TestPaths.Scratch, $"shards-{Guid.NewGuid():N}")).FullName;
        // Set-up (start, fund, sign ahead) of three processes on a busy 2-core machine: 40 s of room.
        DateTimeOffset startAt = DateTimeOffset.UtcNow.AddSeconds(40);
        string start = RunOptions.FormatStartAt(startAt);
        var env = new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey };
        Task<ProcessResult>[] runs = Enumerable.Range(0, Shards).Select(i => ProcessRunner.RunFastloadAsync("", env,
            "run", "--rpc", node.Url.ToString(), "--shard", $"{i}/{Shards}", "--rate", Rate.ToString(CultureInfo.InvariantCulture),
            "--duration", $"{Seconds}s", "--wallets", "30", "--start-at", start, "--out", Path.Combine(dir, $"shard-{i}.duckdb"), "--no-live")).ToArray();
        ProcessResult[] results = await Task.WhenAll(runs);
        for (int i = 0; i < Shards; i++)
            Assert.True(results[i].ExitCode == 0, $"shard {i}/{Shards} exit {results[i].ExitCode}: {results[i].StdErr}\n{results[i].StdOut}");
        // Each shard funded its wallets from a funder of its own (one top-up each from the dev key).
        for (int i = 0; i < Shards; i++) Assert.Contains($"Shard {i}/{Shards}: topping up its own funder", results[i].StdOut);
        string[] files = Enumerable.Range(0, Shards).Select(i => Path.Combine(dir, $"shard-{i}.duckdb")).ToArray();

        // SQL over the three files, as `fastload query 'shard-*.duckdb'` runs it (each file's rows stacked).
        using (ResultsFiles stacked = ResultsFiles.Open(files))
        {
            var db = stacked.Connection;
            // Each began at --start-at: the one instant every file's times count from.
            ResultTable begun = db.Table("SELECT count(DISTINCT started_at), epoch_ms(min(started_at)), count(DISTINCT shard), min(shard_count), max(shard_count) FROM runs");
            Assert.Equal(1L, begun.GetInt64(0, 0));
            Assert.Equal(startAt.ToUnixTimeMilliseconds(), begun.GetInt64(0, 1));
            Assert.Equal([3L, 3L, 3L], new[] { begun.GetInt64(0, 2), begun.GetInt64(0, 3), begun.GetInt64(0, 4) });

            // No wallet used by two shards, and each shard's wallets are its own (index mod 3).
            Assert.Equal(0, db.Table("SELECT address FROM txs GROUP BY address HAVING count(DISTINCT run_id) > 1").RowCount);
            Assert.Equal(0L, db.Table("SELECT count(*) FROM txs JOIN runs USING (run_id) WHERE txs.wallet % runs.shard_count <> runs.shard").GetInt64(0, 0));
            Assert.Equal(30L, db.Table("SELECT count(DISTINCT address) FROM txs").GetInt64(0, 0));

            // Nonces: every wallet's accepted txs are nonces 0..n-1, each once, and the chain holds exactly n from it.
            ResultTable nonces = db.Table("""
                SELECT address, count(*), min(nonce), max(nonce), count(DISTINCT nonce)
                FROM txs WHERE outcome IN ('accepted', 'already_known') GROUP BY address ORDER BY address
                """);
            Assert.Equal(30, nonces.RowCount);
            var addresses = new List<string>();
            for (int r = 0; r < nonces.RowCount; r++)
            {
                long n = nonces.GetInt64(r, 1);
                Assert.Equal(0L, nonces.GetInt64(r, 2));
                Assert.Equal(n - 1, nonces.GetInt64(r, 3));
                Assert.Equal(n, nonces.GetInt64(r, 4));
                addresses.Add(nonces.GetString(r, 0)!);
            }
            Assert.Empty(await node.WaitUntilSettledAsync(addresses, TimeSpan.FromSeconds(30)));
            for (int r = 0; r < nonces.RowCount; r++)
                Assert.Equal((ulong)nonces.GetInt64(r, 1), await node.NonceAsync(addresses[r], "latest"));

            // Every due tx went out or is reported unsent, and the shards' targets add up to --rate.
            ResultTable totals = db.Table("SELECT sum(target_rate), sum(sent), sum(unsent), max(duration_s), (SELECT count(*) FROM txs) FROM runs");
            Assert.Equal(Rate, totals.GetDouble(0, 0), 6);
            Assert.Equal(totals.GetInt64(0, 1), totals.GetInt64(0, 4));
            Assert.InRange(totals.GetInt64(0, 1) + totals.GetInt64(0, 2), Rate * Seconds * 0.98, Rate * Seconds * 1.02);
        }

        // The merged run, as `fastload report shard-*.duckdb` reads it.
        double unionP99;
        using (ResultsFiles stacked = ResultsFiles.Open(files))
            unionP99 = Convert.ToDouble(stacked.Connection.Scalar("SELECT quantile_disc(ack_ms, 0.99) FROM txs WHERE outcome <> 'pending' AND ack_us IS NOT NULL"), CultureInfo.InvariantCulture);
        using (ResultsFiles merged = ResultsFile.OpenReadOnly(files))
        {
            RunMetrics m = RunMetrics.Load(merged.Connection);
            Assert.Equal(Rate, m.TargetRate!.Value, 6);
            Assert.Equal(Seconds, m.DurationSeconds, 3);
            // The merged rate is the sum of the shards' targets within 2 % (sent over the common sending span).
            Assert.InRange(m.Total.AchievedRate, Rate * 0.98, Rate * 1.02);
            // The merged ack p99 is the p99 of the union of the shards' txs.
            Assert.Equal(unionP99, m.Total.AckP99Ms);
            Assert.Single(m.Nodes); // one node, seen by all three shards
        }

        // deploy/gather.sh on the local folder prints the merged report.
        var gather = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        gather.ArgumentList.Add(Path.Combine(TestPaths.RepoRoot, "deploy", "gather.sh"));
        gather.ArgumentList.Add("--dir");
        gather.ArgumentList.Add(dir);
        gather.Environment["FASTLOAD"] = $"dotnet {TestPaths.FastloadDll}";
        using Process p = Process.Start(gather)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync(), stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        string output = await stdout;
        Assert.True(p.ExitCode == 0, await stderr);
        Assert.Contains("(3 files: shard-0.duckdb, shard-1.duckdb, shard-2.duckdb)", output);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"p99 {unionP99:N1} ms"), output);
        Assert.Contains("target 300, ", output);
        Assert.True(File.Exists(Path.Combine(dir, "merged.html")));
    }
}
