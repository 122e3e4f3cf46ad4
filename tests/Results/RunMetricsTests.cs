using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Results;

namespace FastLoad.Tests.Results;

/// <summary>RunMetrics against the ten hand-written txs of <see cref="SyntheticResults.WriteSmall"/>; every value is worked out there.</summary>
public sealed class RunMetricsTests : IDisposable
{
    private readonly string _path = SyntheticResults.TempPath("metrics");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Totals_come_from_the_tx_rows()
    {
        SyntheticResults.WriteSmall(_path);
        RunMetrics m = RunMetrics.Load(_path);

        Assert.Equal("small", m.RunId);
        Assert.Equal("complete", m.Status);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 8, 30, 0, TimeSpan.Zero), m.StartedAt);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 8, 30, 5, TimeSpan.Zero), m.EndedAt);
        Assert.Equal(2.5, m.DurationSeconds);
        Assert.False(m.DurationFromData);
        Assert.Equal(4, m.TargetRate);

        TxMetrics t = m.Total;
        Assert.Null(t.Node);
        Assert.Equal(10, t.Sent);
        Assert.Equal(9, t.Answered);               // tx 6 is pending
        Assert.Equal(6, t.Accepted);               // 5 accepted + 1 already_known
        Assert.Equal(3, t.Errors);
        Assert.Equal([new("underpriced", 2L), new("nonce_too_low", 1L)], t.ErrorsByClass);
        Assert.Equal(4.0, t.AchievedRate);         // 10 / 2.5 s
        Assert.Equal(6 * 100.0 / 9, t.SuccessPercent);
        // ack ms sorted: 5 5 11 12 20 31 40 100 102
        Assert.Equal(20, t.AckP50Ms);
        Assert.Equal(102, t.AckP90Ms);
        Assert.Equal(102, t.AckP99Ms);
        Assert.Equal(102, t.AckMaxMs);
        Assert.Equal(100, t.RawAckP99Ms);          // raw: 5 5 10 10 20 30 40 100 100
        Assert.Equal(5, t.Included);
        Assert.Equal(1, t.NotIncluded);            // tx 3
        Assert.Equal(1000, t.InclusionP50Ms);      // 750 1000 1000 1100 1600
        Assert.Equal(1600, t.InclusionP99Ms);
        Assert.Equal(3, t.Blocks);                 // 10, 11, 12: a block seen by two nodes counts once
    }

    [Fact]
    public void Per_node_metrics_split_the_same_rows()
    {
        SyntheticResults.WriteSmall(_path);
        RunMetrics m = RunMetrics.Load(_path);

        Assert.Equal(2, m.Nodes.Count);
        TxMetrics a = m.Nodes[0], b = m.Nodes[1];
        Assert.Equal((0, "http://a:8545"), (a.Node, a.Url));
        Assert.Equal((6L, 5L, 4L, 1L), (a.Sent, a.Answered, a.Accepted, a.Errors));
        Assert.Equal([new("nonce_too_low", 1L)], a.ErrorsByClass);
        Assert.Equal(2.4, a.AchievedRate, 12);
        Assert.Equal(80, a.SuccessPercent);
        Assert.Equal((20.0, 40.0, 40.0), (a.AckP50Ms!.Value, a.AckP99Ms!.Value, a.AckMaxMs!.Value));
        Assert.Equal((3L, 1L, 1000.0, 1000.0, 2L), (a.Included, a.NotIncluded, a.InclusionP50Ms!.Value, a.InclusionP99Ms!.Value, a.Blocks));

        Assert.Equal((1, "http://b:8545"), (b.Node, b.Url));
        Assert.Equal((4L, 4L, 2L, 2L), (b.Sent, b.Answered, b.Accepted, b.Errors));
        Assert.Equal([new("underpriced", 2L)], b.ErrorsByClass);
        Assert.Equal(50, b.SuccessPercent);
        Assert.Equal((5.0, 102.0, 102.0, 100.0), (b.AckP50Ms!.Value, b.AckP99Ms!.Value, b.AckMaxMs!.Value, b.RawAckP99Ms!.Value));
        Assert.Equal((2L, 0L, 1100.0, 1600.0, 3L), (b.Included, b.NotIncluded, b.InclusionP50Ms!.Value, b.InclusionP99Ms!.Value, b.Blocks));
    }

    [Fact]
    public void Killed_run_without_summary_columns_takes_duration_from_the_last_send()
    {
        SyntheticResults.WriteSmall(_path, killed: true);
        RunMetrics m = RunMetrics.Load(_path);

        Assert.Equal("killed", m.Status);
        Assert.Null(m.EndedAt);
        Assert.True(m.DurationFromData);
        Assert.Equal(1.5, m.DurationSeconds);      // last sent_us = 1,500,000
        Assert.Equal(10 / 1.5, m.Total.AchievedRate, 12);
        Assert.Equal(10, m.Total.Sent);
        Assert.Equal(102, m.Total.AckP99Ms);
        Assert.Equal(1600, m.Total.InclusionP99Ms);
    }

    [Fact]
    public void Loading_leaves_the_file_unchanged()
    {
        SyntheticResults.WriteSmall(_path);
        byte[] before = File.ReadAllBytes(_path);
        RunMetrics.Load(_path);
        Assert.Equal(before, File.ReadAllBytes(_path));
        Assert.False(File.Exists(_path + ".wal"));
    }

    [Fact]
    public void Rejects_a_missing_file_and_a_duckdb_file_that_is_not_a_results_file()
    {
        var missing = Assert.Throws<FileNotFoundException>(() => RunMetrics.Load(_path));
        Assert.Contains("does not exist", missing.Message);
        Assert.False(File.Exists(_path));

        using (var db = DuckDbSql.Open(_path)) db.Execute("CREATE TABLE t (x INTEGER)");
        var other = Assert.Throws<InvalidDataException>(() => RunMetrics.Load(_path));
        Assert.Contains("is not a FastLoad results file", other.Message);

        File.WriteAllText(_path, "hello");
        var text = Assert.Throws<InvalidDataException>(() => RunMetrics.Load(_path));
        Assert.Contains("is not a DuckDB database", text.Message);
    }
}
