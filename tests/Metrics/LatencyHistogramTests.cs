using FastLoad.Engine.Metrics;

namespace FastLoad.Tests.Metrics;

public class LatencyHistogramTests
{
    private static void AssertWithinOnePercent(long expected, long actual) =>
        Assert.True(Math.Abs(actual - expected) <= expected / 100.0,
            $"expected {expected} ± 1 %, got {actual}");

    private static List<LatencyHistogram.Bucket> Buckets(LatencyHistogram h)
    {
        var list = new List<LatencyHistogram.Bucket>();
        foreach (LatencyHistogram.Bucket b in h.NonEmptyBuckets) list.Add(b);
        return list;
    }

    private static void AssertSameState(LatencyHistogram expected, LatencyHistogram actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.Min, actual.Min);
        Assert.Equal(expected.Max, actual.Max);
        Assert.Equal(expected.Mean, actual.Mean);
        Assert.Equal(expected.Overflows, actual.Overflows);
        Assert.Equal(expected.Counts.ToArray(), actual.Counts.ToArray());
    }

    [Fact]
    public void Default_layout_covers_an_hour_in_3328_buckets_under_one_percent_error()
    {
        var h = new LatencyHistogram();
        Assert.True(h.HighestTrackableMicros >= 3_600_000_000);
        Assert.Equal((1L << 32) - 1, h.HighestTrackableMicros);
        Assert.Equal(3328, h.BucketCount);
        for (int i = 0; i < h.BucketCount; i++)
        {
            long low = LatencyHistogram.LowestEquivalentOfIndex(i);
            long high = LatencyHistogram.HighestEquivalentOfIndex(i);
            Assert.Equal(i, LatencyHistogram.IndexOf(low));
            Assert.Equal(i, LatencyHistogram.IndexOf(high));
            if (i > 0) Assert.Equal(LatencyHistogram.HighestEquivalentOfIndex(i - 1) + 1, low); // contiguous
            Assert.True(high - low < Math.Max(1, low) / 100.0 || high == low, $"bucket {i}: {low}..{high}");
        }
        Assert.Equal(h.HighestTrackableMicros, LatencyHistogram.HighestEquivalentOfIndex(h.BucketCount - 1));
    }

    [Fact]
    public void Percentiles_of_uniform_1_to_1_000_000_are_within_one_percent()
    {
        var h = new LatencyHistogram();
        for (long v = 1; v <= 1_000_000; v++) h.Record(v);

        Assert.Equal(1_000_000, h.Count);
        Assert.Equal(1, h.Min);
        Assert.Equal(1_000_000, h.Max);
        Assert.Equal(500_000.5, h.Mean);
        AssertWithinOnePercent(500_000, h.ValueAtPercentile(50));
        AssertWithinOnePercent(900_000, h.ValueAtPercentile(90));
        AssertWithinOnePercent(990_000, h.ValueAtPercentile(99));
        AssertWithinOnePercent(999_000, h.ValueAtPercentile(99.9));
        long p100 = h.ValueAtPercentile(100);
        AssertWithinOnePercent(1_000_000, p100);
        Assert.True(p100 >= h.Max);
        // Highest equivalent value, never below the true percentile.
        Assert.True(h.ValueAtPercentile(50) >= 500_000);
    }

    [Fact]
    public void Single_value_is_every_percentile_within_resolution()
    {
        var h = new LatencyHistogram();
        h.Record(1000);
        Assert.Equal(1, h.Count);
        Assert.Equal(1000, h.Min);
        Assert.Equal(1000, h.Max);
        Assert.Equal(1000.0, h.Mean);
        long top = LatencyHistogram.HighestEquivalentValue(1000);
        Assert.Equal(1003, top); // 1000 lies in [512, 1024): width 4
        Assert.Equal(top, h.ValueAtPercentile(1));
        Assert.Equal(top, h.ValueAtPercentile(50));
        Assert.Equal(top, h.ValueAtPercentile(100));
        Assert.Equal(1000, h.ValueAtPercentile(0));
    }

    [Fact]
    public void Zero_is_recorded_exactly()
    {
        var h = new LatencyHistogram();
        h.Record(0);
        Assert.Equal(1, h.Count);
        Assert.Equal(0, h.Min);
        Assert.Equal(0, h.Max);
        Assert.Equal(0.0, h.Mean);
        Assert.Equal(0, h.ValueAtPercentile(50));
        Assert.Equal(0, h.ValueAtPercentile(100));
        Assert.Equal(0, h.Overflows);
    }

    [Fact]
    public void Empty_histogram_reports_zeros()
    {
        var h = new LatencyHistogram();
        Assert.Equal(0, h.Count);
        Assert.Equal(0, h.Min);
        Assert.Equal(0, h.Max);
        Assert.Equal(0.0, h.Mean);
        Assert.Equal(0, h.ValueAtPercentile(99));
        Assert.Empty(Buckets(h));
    }

    [Fact]
    public void Huge_value_clamps_into_top_bucket_and_counts_overflow()
    {
        var h = new LatencyHistogram();
        h.Record(100);
        h.Record(5_000_000_000);
        h.Record(long.MaxValue);
        h.RecordConcurrent(long.MaxValue);

        Assert.Equal(4, h.Count);
        Assert.Equal(3, h.Overflows);
        Assert.Equal(h.HighestTrackableMicros, h.Max);
        Assert.Equal(h.HighestTrackableMicros, h.ValueAtPercentile(100));
        Assert.Equal(3, h.Counts[^1]);
        Assert.Equal((100 + 3.0 * h.HighestTrackableMicros) / 4, h.Mean);
    }

    [Fact]
    public void Negative_value_is_recorded_as_zero_without_overflow()
    {
        var h = new LatencyHistogram();
        h.Record(-5);
        h.RecordConcurrent(-7);
        Assert.Equal(2, h.Count);
        Assert.Equal(0, h.Overflows);
        Assert.Equal(2, h.Counts[0]);
        Assert.Equal(0, h.Max);
    }

    [Fact]
    public void Merge_equals_recording_all_values_into_one()
    {
        var all = new LatencyHistogram();
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        var rng = new Random(42);
        for (int i = 0; i < 200_000; i++)
        {
            long v = (long)Math.Exp(rng.NextDouble() * 23); // 1 µs .. ~2.7 h, so some overflow
            all.Record(v);
            (i % 3 == 0 ? a : b).Record(v);
        }
        a.Add(b);
        AssertSameState(all, a);
        Assert.True(all.Overflows > 0);
        foreach (double p in new[] { 0, 50, 90, 99, 99.9, 100 })
        {
            Assert.Equal(all.ValueAtPercentile(p), a.ValueAtPercentile(p));
        }
    }

    [Fact]
    public void Merge_into_empty_and_of_empty_keeps_min_and_max()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        b.Record(300);
        b.Record(7);
        a.Add(new LatencyHistogram());
        Assert.Equal(0, a.Count);
        a.Add(b);
        Assert.Equal(7, a.Min);
        Assert.Equal(300, a.Max);
        b.Add(new LatencyHistogram());
        Assert.Equal(7, b.Min);
    }

    [Fact]
    public void Merge_and_copy_reject_a_different_layout()
    {
        var a = new LatencyHistogram();
        var small = new LatencyHistogram(highestTrackableMicros: 60_000_000);
        Assert.Throws<ArgumentException>(() => a.Add(small));
        Assert.Throws<ArgumentException>(() => a.CopyTo(small));
    }

    [Fact]
    public void Copy_is_an_independent_snapshot_and_reset_clears_everything()
    {
        var h = new LatencyHistogram();
        for (long v = 1; v <= 10_000; v++) h.Record(v * 37);
        h.Record(long.MaxValue);
        var snapshot = new LatencyHistogram();
        snapshot.Record(5); // overwritten by the copy
        h.CopyTo(snapshot);
        AssertSameState(h, snapshot);

        h.Reset();
        Assert.Equal(0, h.Count);
        Assert.Equal(0, h.Overflows);
        Assert.Equal(0, h.Min);
        Assert.Equal(0, h.Max);
        Assert.Empty(Buckets(h));
        Assert.Equal(10_001, snapshot.Count);

        h.Record(9);
        Assert.Equal(9, h.Min);
        Assert.Equal(9, h.Max);
    }

    [Fact]
    public void Corrected_recording_adds_the_synthetic_samples_of_a_stall()
    {
        // Exact region (< 256): 200 with interval 20 → 200, 180, …, 20.
        var small = new LatencyHistogram();
        small.RecordCorrected(200, 20);
        Assert.Equal(10, small.Count);
        Assert.Equal(20, small.Min);
        Assert.Equal(200, small.Max);
        Assert.Equal(110.0, small.Mean);
        Assert.Equal(100, small.ValueAtPercentile(50)); // rank round(5.0) = 5 → 100
        Assert.Equal(180, small.ValueAtPercentile(90)); // rank 9 → 180

        // 99 prompt responses of 100 µs at a 1 ms send interval, then one 100 ms stall.
        var h = new LatencyHistogram();
        for (int i = 0; i < 99; i++) h.RecordCorrected(100, 1000);
        Assert.Equal(99, h.Count); // below the interval: nothing synthetic
        h.RecordCorrected(100_000, 1000);
        // The stall also stands for 99,000, 98,000, …, 1,000 µs: 99 synthetic samples.
        Assert.Equal(99 + 1 + 99, h.Count);
        Assert.Equal(100, h.Min);
        Assert.Equal(100_000, h.Max);
        Assert.Equal((99 * 100 + 100_000 + 1000 * (99 * 100 / 2)) / 199.0, h.Mean, 9);
        // Sorted: 99 × 100, then 1,000 … 99,000, then 100,000.
        // p50: rank round(99.5) = 100 → 1,000; p99: rank round(197.01) = 197 → 98,000.
        AssertWithinOnePercent(1_000, h.ValueAtPercentile(50));
        AssertWithinOnePercent(98_000, h.ValueAtPercentile(99));
        Assert.True(h.ValueAtPercentile(99) >= 98_000);
        Assert.Equal(LatencyHistogram.HighestEquivalentValue(100), h.ValueAtPercentile(49));
    }

    [Theory]
    [InlineData(100_000L, 1000L)]
    [InlineData(123_457L, 7L)]
    [InlineData(3_000_000L, 1L)]
    [InlineData(5_000_000_123L, 400_000_000L)] // synthetic samples above the range overflow too
    [InlineData(4_294_968_296L, 997L)] // first synthetic samples overflow, the rest do not
    public void Corrected_recording_in_bulk_matches_one_by_one_synthetic_samples(long value, long interval)
    {
        var bulk = new LatencyHistogram();
        bulk.Record(17);
        bulk.RecordCorrected(value, interval);

        var naive = new LatencyHistogram();
        naive.Record(17);
        naive.Record(value);
        for (long missing = value - interval; missing >= interval; missing -= interval) naive.Record(missing);

        AssertSameState(naive, bulk);
    }

    [Fact]
    public void Corrected_recording_ignores_non_positive_interval_and_small_values()
    {
        var h = new LatencyHistogram();
        h.RecordCorrected(5000, 0);
        h.RecordCorrected(5000, -10);
        h.RecordCorrected(1500, 1000); // 1500 - 1000 < 1000: nothing missing
        h.RecordCorrected(2000, 1000); // exactly one missing: 1000
        Assert.Equal(5, h.Count);
        Assert.Equal(1000, h.Min);
    }

    [Fact]
    public void Concurrent_recording_from_four_threads_loses_no_counts()
    {
        const int threads = 4, perThread = 500_000;
        var shared = new LatencyHistogram();
        var expected = new LatencyHistogram();
        for (int t = 0; t < threads; t++)
            for (int i = 0; i < perThread; i++) expected.Record(ValueFor(t, i));

        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int thread = t;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = 0; i < perThread; i++) shared.RecordConcurrent(ValueFor(thread, i));
            });
            workers[t].Start();
        }
        foreach (Thread w in workers) w.Join();

        Assert.Equal(threads * perThread, shared.Count);
        AssertSameState(expected, shared);

        // Values collide in a few hot buckets so the increments really contend.
        static long ValueFor(int thread, int i) => (i * 31 + thread) % 2000 + (i % 1000 == 0 ? 10_000_000_000 : 0);
    }

    [Fact]
    public void Recording_a_million_values_allocates_nothing()
    {
        var h = new LatencyHistogram();
        for (long v = 0; v < 1000; v++) { h.Record(v); h.RecordConcurrent(v); h.RecordCorrected(v * 1000, 100); }
        h.Record(long.MaxValue); // warm the out-of-range path too
        h.Reset();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (long v = 0; v < 1_000_000; v++) h.Record(v * 4397); // up to 4.4e9: the top values overflow
        long after = GC.GetAllocatedBytesForCurrentThread();

        Assert.Equal(0, after - before);
        Assert.Equal(1_000_000, h.Count);
        Assert.True(h.Overflows > 0);
    }

    [Fact]
    public void Percentile_enumeration_and_merge_allocate_nothing()
    {
        var h = new LatencyHistogram();
        var other = new LatencyHistogram();
        for (long v = 1; v < 100_000; v += 3) h.Record(v);
        h.ValueAtPercentile(99); other.Add(h); h.CopyTo(other);
        foreach (LatencyHistogram.Bucket b in h.NonEmptyBuckets) _ = b;

        long before = GC.GetAllocatedBytesForCurrentThread();
        long p99 = h.ValueAtPercentile(99);
        other.Add(h);
        h.CopyTo(other);
        long sum = 0;
        foreach (LatencyHistogram.Bucket b in h.NonEmptyBuckets) sum += b.Count;
        long after = GC.GetAllocatedBytesForCurrentThread();

        Assert.Equal(0, after - before);
        Assert.Equal(h.Count, sum);
        Assert.True(p99 > 0);
    }

    [Fact]
    public void Bucket_iteration_covers_exactly_count_in_ascending_order()
    {
        var h = new LatencyHistogram();
        var rng = new Random(7);
        for (int i = 0; i < 100_000; i++) h.Record(rng.NextInt64(0, 8_000_000_000));
        h.RecordCorrected(2_000_000, 1_000);

        long total = 0;
        long previousHigh = -1;
        int buckets = 0;
        foreach (LatencyHistogram.Bucket b in h.NonEmptyBuckets)
        {
            Assert.True(b.Count > 0);
            Assert.True(b.LowMicros > previousHigh);
            Assert.True(b.HighMicros >= b.LowMicros);
            Assert.True(b.HighMicros <= h.HighestTrackableMicros);
            previousHigh = b.HighMicros;
            total += b.Count;
            buckets++;
        }
        Assert.Equal(h.Count, total);
        Assert.True(buckets > 1000);
        Assert.Equal(h.HighestTrackableMicros, previousHigh); // the overflows sit in the top bucket
    }

    [Fact]
    public void One_histogram_occupies_about_26_kilobytes()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var h = new LatencyHistogram();
        long size = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(h);
        Assert.InRange(size, 3328 * 8, 3328 * 8 + 256);
    }

    [Fact]
    public void Millis_at_percentile_is_null_when_empty_and_the_microsecond_value_over_1000_otherwise()
    {
        var h = new LatencyHistogram();
        Assert.Null(h.MillisAtPercentile(99));
        for (long v = 1; v <= 10_000; v++) h.Record(v * 100);
        Assert.Equal(h.ValueAtPercentile(50) / 1000.0, h.MillisAtPercentile(50));
        Assert.Equal(h.ValueAtPercentile(99) / 1000.0, h.MillisAtPercentile(99));
        Assert.InRange(h.MillisAtPercentile(99)!.Value, 990 * 0.99, 990 * 1.01);
    }
}
