using FastLoad.Engine.Metrics;
using HdrHistogram;

namespace FastLoad.Tests.Metrics;

/// <summary>
/// Percentile error against exact percentiles (sorted samples) on a skewed latency distribution: LatencyHistogram keeps
/// within its bucket width (1/128), HdrHistogram at 3 digits within 1/1024, and what --hdr-log writes within both.
/// </summary>
public class PercentileErrorTests
{
    [Fact]
    public void Percentiles_are_within_each_histograms_documented_precision()
    {
        var random = new Random(7);
        long[] values = new long[300_000];
        for (int i = 0; i < values.Length; i++)
        {
            double normal = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            values[i] = random.NextDouble() < 0.01 ? 50_000 + (long)(random.NextDouble() * 450_000) : (long)Math.Exp(Math.Log(2_000) + normal);
        }
        var ours = new LatencyHistogram();
        var hdr = new LongHistogram(LatencyHistogram.DefaultHighestTrackableMicros, 3);
        foreach (long v in values)
        {
            ours.Record(v);
            hdr.RecordValue(v);
        }
        LongHistogram logged = HdrLogWriter.ToHdr(ours);
        long[] sorted = (long[])values.Clone();
        Array.Sort(sorted);

        foreach (double p in new[] { 50.0, 90, 99, 99.9, 99.99 })
        {
            long exact = sorted[(int)Math.Ceiling(p / 100 * sorted.Length) - 1];
            AssertWithin(exact, Math.Min(ours.ValueAtPercentile(p), ours.Max), 1.0 / 128, $"LatencyHistogram p{p}");
            AssertWithin(exact, hdr.GetValueAtPercentile(p), 1.0 / 1024, $"HdrHistogram p{p}");
            AssertWithin(exact, logged.GetValueAtPercentile(p) / 1000.0, 1.0 / 128 + 1.0 / 1024, $"--hdr-log p{p}");
        }
        Assert.Equal(sorted[^1], ours.Max);
        AssertWithin(sorted[^1], logged.GetMaxValue() / 1000.0, 1.0 / 1024, "--hdr-log max");
    }

    private static void AssertWithin(long exact, double actual, double relative, string what) =>
        Assert.True(Math.Abs(actual - exact) <= exact * relative + 1, $"{what}: {actual} vs exact {exact} (allowed ±{relative:P3})");
}
