using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Results;
using DuckDB.NET.Data;

namespace FastLoad.Tests.Results;

public sealed class RunSeriesTests : IDisposable
{
    private readonly string _path = SyntheticResults.TempPath("series");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void Per_second_series_of_the_hand_written_run()
    {
        SyntheticResults.WriteSmall(_path);
        using ResultsFiles file = ResultsFile.OpenReadOnly(_path);
        DuckDBConnection db = file.Connection;
        RunSeries s = RunSeries.Load(db);

        Assert.Equal(3, s.Seconds);                              // duration 2.5 s
        Assert.Equal([6.0, 4, 0], s.SentPerSecond);              // by actual send time
        Assert.Equal([11.0, 100], s.AckP50[..2]);                // intended in second 0: 5 5 11 12 20 31; in 1: 40 100 102
        Assert.True(double.IsNaN(s.AckP50[2]));
        Assert.Equal([("nonce_too_low", new[] { 1.0, 0, 0 }), ("underpriced", new[] { 0.0, 2, 0 })], s.ErrorsPerSecond.Select(e => (e.Key, e.Value)));
        Assert.Equal([new BlockPoint(10, 3, 3, 63000), new BlockPoint(11, 2, 2, 42000), new BlockPoint(12, 0, 0, 0)], s.Blocks);
        Assert.False(s.SeparateChains);                          // same hash on both nodes: one chain
    }

    [Fact]
    public void Series_add_up_to_the_run_metrics()
    {
        SyntheticResults.WriteGenerated(_path, new SyntheticResults.Profile { Seconds = 12, Rate = 150, Nodes = 3 });
        using ResultsFiles file = ResultsFile.OpenReadOnly(_path);
        DuckDBConnection db = file.Connection;
        RunSeries s = RunSeries.Load(db);
        RunMetrics m = RunMetrics.Load(db);

        Assert.Equal(12, s.Seconds);
        Assert.Equal(m.Total.Sent, s.SentPerSecond.Sum());
        Assert.Equal(m.Total.Errors, s.ErrorsPerSecond.Sum(e => e.Value.Sum()));
        Assert.Equal(m.Total.Included, s.InclusionBucketCount.Sum());
        Assert.Equal(m.Total.Blocks, s.Blocks.Length);
        Assert.Equal(m.Total.Included, s.Blocks.Sum(b => b.OurTxCount));
    }

    [Fact]
    public void Blocks_of_separate_chains_under_one_number_are_summed_and_counted_apart()
    {
        SyntheticResults.WriteSmall(_path);
        using (DuckDBConnection w = DuckDbSql.Open(_path)) w.Execute("UPDATE blocks SET hash = hash || '-b' WHERE node = 1");
        using ResultsFiles file = ResultsFile.OpenReadOnly(_path);
        DuckDBConnection db = file.Connection;

        RunSeries s = RunSeries.Load(db);
        Assert.True(s.SeparateChains);
        Assert.Equal([new BlockPoint(10, 6, 6, 126000), new BlockPoint(11, 4, 4, 84000), new BlockPoint(12, 0, 0, 0)], s.Blocks);
        Assert.Equal(5, RunMetrics.Load(db).Total.Blocks);       // 2 on node 0 + 3 on node 1
    }
}
