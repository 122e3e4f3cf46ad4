using DuckDB.NET.Data;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Results;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Results;

/// <summary>report/compare over several files: one run merged from them (the shards of a sharded run).</summary>
public sealed class MergedResultsTests : IDisposable
{
    private readonly string _a = SyntheticResults.TempPath("merge-a");
    private readonly string _b = SyntheticResults.TempPath("merge-b");

    public MergedResultsTests()
    {
        SyntheticResults.WriteSmall(_a);
        SyntheticResults.WriteSmall(_b);
        // b: another run, begun 1 s later, its node 1 another URL, every answer 100 ms slower.
        using DuckDBConnection db = DuckDbSql.Open(_b);
        db.Execute("UPDATE runs SET run_id = 'small-b', started_at = started_at + INTERVAL 1 SECOND, ended_at = ended_at + INTERVAL 1 SECOND, shard = 1, shard_count = 2");
        db.Execute("UPDATE nodes SET url = 'http://c:8545' WHERE node = 1");
        db.Execute("UPDATE tx_log SET ack_us = ack_us + 100000");
    }

    [Fact]
    public void Counts_add_up_and_times_count_from_the_earliest_start()
    {
        using ResultsFiles merged = ResultsFile.OpenReadOnly([_a, _b]);
        RunMetrics m = RunMetrics.Load(merged.Connection);
        Assert.Equal("small+small-b", m.RunId);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 8, 30, 0, TimeSpan.Zero), m.StartedAt);
        Assert.Equal(20, m.Total.Sent);
        Assert.Equal(8, m.TargetRate);           // 4 + 4
        Assert.Equal(3.5, m.DurationSeconds, 9); // b ends its 2.5 s of sending 1 s after a began
        Assert.Equal(20 / 3.5, m.Total.AchievedRate, 9);
        Assert.Equal(2_500_000L, merged.Connection.Scalar("SELECT max(intended_us) FROM tx_log")); // b's last (1.5 s) + 1 s
        Assert.Equal(3, merged.Connection.Scalar("SELECT max(t_s) FROM samples")); // b's samples 1 s later too
        // Nodes by URL: a's node 0 and b's node 0 are one node.
        Assert.Equal(["http://a:8545", "http://b:8545", "http://c:8545"], m.Nodes.Select(n => n.Url));
        Assert.Equal([12L, 4L, 4L], m.Nodes.Select(n => n.Sent));
        // Blocks seen by both runs count once; our txs in them are summed over the runs.
        Assert.Equal(3, m.Total.Blocks);
        RunSeries series = RunSeries.Load(merged.Connection);
        Assert.Equal(6, series.Blocks.Single(b => b.Number == 10).OurTxCount);
    }

    [Fact]
    public void Percentiles_are_over_the_union_of_the_txs_not_averages()
    {
        double union;
        using (ResultsFiles stacked = ResultsFiles.Open([_a, _b])) // what `fastload query` gives over both files
            union = Convert.ToDouble(stacked.Connection.Scalar("SELECT quantile_disc(ack_ms, 0.99) FROM txs WHERE outcome <> 'pending'"));
        double pa = RunMetrics.Load(_a).Total.AckP99Ms!.Value, pb = RunMetrics.Load(_b).Total.AckP99Ms!.Value;
        using ResultsFiles merged = ResultsFile.OpenReadOnly([_a, _b]);
        RunMetrics m = RunMetrics.Load(merged.Connection);
        Assert.Equal(union, m.Total.AckP99Ms);
        Assert.Equal(202, union);                 // b's slowest: 102 + 100
        Assert.NotEqual((pa + pb) / 2, union);    // 152 would be the average of the two p99s
        // The per-tx view is there too, with each tx once.
        Assert.Equal(20L, merged.Connection.Scalar("SELECT count(*) FROM txs"));
    }

    [Fact]
    public void A_missing_shard_is_named()
    {
        IReadOnlyList<ShardFile> files = ShardFile.LoadEach([_b]);
        Assert.Equal("1/2", files[0].ShardText);
        Assert.Equal("shard 0/2 missing: the merged figures are not the whole run's", ShardFile.Check(files));
        Assert.Equal("shard 0/2 missing; shard 1/2 given more than once: the merged figures are not the whole run's",
            ShardFile.Check([files[0], files[0]]));
    }

    [Fact]
    public async Task Report_over_a_glob_prints_the_merged_run_and_each_files_own_line()
    {
        string dir = Directory.CreateDirectory(Path.Combine(TestPaths.Scratch, $"merge-{Guid.NewGuid():N}")).FullName;
        File.Copy(_a, Path.Combine(dir, "shard-a.duckdb"));
        File.Copy(_b, Path.Combine(dir, "shard-b.duckdb"));
        ProcessResult r = await ProcessRunner.RunFastloadAsync("", "report", Path.Combine(dir, "shard-*.duckdb"));
        Assert.True(r.ExitCode == 0, r.StdOut + r.StdErr);
        Assert.Contains("(2 files: shard-a.duckdb, shard-b.duckdb)", r.StdOut);
        Assert.Contains("sent         20 ", r.StdOut);
        Assert.Contains("p99 202.0 ms", r.StdOut);
        Assert.Matches(@"shard-b\.duckdb\s+1/2\s+10 ", r.StdOut);
        Assert.Contains("warning: the files are not the shards of one run", r.StdErr); // a is unsharded

        ProcessResult c = await ProcessRunner.RunFastloadAsync("", "compare", _a, dir);
        Assert.Equal(1, c.ExitCode); // the merge's ack p99 (202) is far above a's alone (102)
        Assert.Contains("2 files (shard-a.duckdb ...)", c.StdOut);
    }

    public void Dispose()
    {
        foreach (string f in new[] { _a, _b }) { File.Delete(f); File.Delete(f + ".wal"); }
    }
}
