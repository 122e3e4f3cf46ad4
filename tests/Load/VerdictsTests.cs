using FastLoad.Engine.Load;
using FastLoad.Engine.Metrics;
using FastLoad.Engine.Reads;

namespace FastLoad.Tests.Load;

/// <summary>The read traffic's verdicts (<c>--expect-read-success</c>, <c>--expect-read-p99-ms</c>) on a summary built here.</summary>
public class VerdictsTests
{
    /// <summary>A 10 s run of 1,000 accepted txs; with <paramref name="reads"/>, 1,000 reads of which <paramref name="readErrors"/> failed.</summary>
    private static RunSummary Run(bool reads = true, long readErrors = 0, long readLatencyMicros = 5_000, long slowReads = 0, long slowMicros = 0)
    {
        var latency = new LatencyHistogram();
        for (long i = 0; i < 1_000 - slowReads; i++) latency.Record(readLatencyMicros);
        for (long i = 0; i < slowReads; i++) latency.Record(slowMicros);
        var stats = new NodeStats("http://127.0.0.1:8545/");
        return new RunSummary
        {
            Nodes = [stats], SendDuration = TimeSpan.FromSeconds(10), TargetRate = 100, Signed = 1_000, CpuSeconds = 1, BreakerTrips = 0, Resyncs = 0,
            Reads = reads
                ? new ReadSummary { Method = ReadMethod.BlockNumber, Rate = 100, Sent = 1_000, Ok = 1_000 - readErrors, Errors = readErrors, Latency = latency, LatencyFromSent = latency }
                : null,
        };
    }

    [Fact]
    public void Read_success_is_ok_reads_over_reads_sent_and_passes_at_the_target()
    {
        VerdictLine line = Assert.Single(Verdicts.Evaluate(new RunExpectations { ReadSuccessPercent = 99.5 }, Run(readErrors: 5)));
        Assert.Equal("read_success", line.Target);
        Assert.Equal(99.5, line.Actual);
        Assert.True(line.Pass);
        Assert.Equal(">=", line.Rule);
    }

    [Fact]
    public void Read_success_below_the_target_fails()
    {
        VerdictLine line = Assert.Single(Verdicts.Evaluate(new RunExpectations { ReadSuccessPercent = 99.5 }, Run(readErrors: 6)));
        Assert.Equal(99.4, line.Actual!.Value, 9);
        Assert.False(line.Pass);
        Assert.Contains("FAIL  read_success      99.40 % reads ok (expected >= 99.50)", Verdicts.Format([line]));
        Assert.EndsWith("Verdict: FAIL" + Environment.NewLine, Verdicts.Format([line]));
    }

    [Fact]
    public void Read_p99_is_judged_on_latency_from_the_intended_time()
    {
        // 1 % of the reads took 80 ms, the rest 5 ms: p99 is 5 ms (the 990th of 1,000), p99 with 11 slow ones is 80 ms.
        VerdictLine fast = Assert.Single(Verdicts.Evaluate(new RunExpectations { ReadP99Ms = 10 }, Run(slowReads: 10, slowMicros: 80_000)));
        Assert.Equal("read_p99_ms", fast.Target);
        Assert.InRange(fast.Actual!.Value, 5, 5.04); // the histogram's bucket, within 0.8 %
        Assert.True(fast.Pass);

        VerdictLine slow = Assert.Single(Verdicts.Evaluate(new RunExpectations { ReadP99Ms = 10 }, Run(slowReads: 11, slowMicros: 80_000)));
        Assert.InRange(slow.Actual!.Value, 79.5, 80.5);
        Assert.False(slow.Pass);
        Assert.Contains("FAIL  read_p99_ms", Verdicts.Format([slow]));
    }

    [Fact]
    public void A_read_target_without_reads_has_nothing_to_measure_and_fails()
    {
        IReadOnlyList<VerdictLine> lines = Verdicts.Evaluate(new RunExpectations { ReadSuccessPercent = 50, ReadP99Ms = 1_000 }, Run(reads: false));
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Null(l.Actual));
        Assert.All(lines, l => Assert.False(l.Pass));
        Assert.Contains("FAIL  read_success      n/a", Verdicts.Format(lines));
    }

    [Fact]
    public void Read_targets_count_as_targets_and_leave_the_tx_targets_alone()
    {
        var expect = new RunExpectations { ReadP99Ms = 10 };
        Assert.True(expect.Any);
        Assert.True(expect.AnyRead);
        Assert.False(new RunExpectations { SuccessPercent = 99 }.AnyRead);
        IReadOnlyList<VerdictLine> lines = Verdicts.Evaluate(new RunExpectations { SuccessPercent = 99, ReadSuccessPercent = 99 }, Run(readErrors: 100));
        Assert.Equal(["success", "read_success"], lines.Select(l => l.Target));
        Assert.False(lines[0].Pass); // nothing accepted in this summary
        Assert.False(lines[1].Pass); // 90 % of reads ok
    }
}
