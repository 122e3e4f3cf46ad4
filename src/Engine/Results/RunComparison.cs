namespace FastLoad.Engine.Results;

/// <summary>The comparison of two runs' <see cref="RunMetrics"/>.</summary>
public static class RunComparison
{
    /// <summary>The tx metrics of the whole runs, then their reads when either run sent any (<see cref="CompareReads"/>).</summary>
    public static IReadOnlyList<MetricDelta> Compare(RunMetrics baseRun, RunMetrics newRun, CompareThresholds limits) =>
        [.. Compare(baseRun.Total, newRun.Total, baseRun.TargetRate, newRun.TargetRate, limits), .. CompareReads(baseRun.Reads, newRun.Reads, limits)];

    /// <summary>
    /// The read traffic's lines (<c>--read-rate</c>); none when neither run sent reads. Read p99 and the read error share
    /// have thresholds; a BASE with reads and a NEW without counts as regressed on both.
    /// </summary>
    public static IReadOnlyList<MetricDelta> CompareReads(ReadMetrics? b, ReadMetrics? n, CompareThresholds limits)
    {
        if (b is null && n is null) return [];
        return
        [
            new("reads/s", "", b?.AchievedRate, n?.AchievedRate, false, null),
            new("reads", "", b?.Reads, n?.Reads, false, null),
            new("read errors", "", b?.Errors, n?.Errors, false, null),
            new("read error", "%", b?.ErrorPercent, n?.ErrorPercent,
                b?.ErrorPercent is double be && (n?.ErrorPercent is not double ne || ne - be > limits.MaxReadErrorRisePoints),
                $"rise > {limits.MaxReadErrorRisePoints:0.###} points"),
            new("read p50", "ms", b?.P50Ms, n?.P50Ms, false, null),
            Rise("read p99", "ms", b?.P99Ms, n?.P99Ms, limits.MaxReadP99RisePercent),
            new("read raw p99", "ms", b?.RawP99Ms, n?.RawP99Ms, false, null),
        ];
    }

    /// <summary>The metric lines for two sets of tx metrics (a whole run, or one node of each).</summary>
    public static IReadOnlyList<MetricDelta> Compare(TxMetrics b, TxMetrics n, double? baseTarget, double? newTarget, CompareThresholds limits) =>
    [
        new("target", "tx/s", baseTarget, newTarget, false, null),
        Drop("achieved", "tx/s", b.AchievedRate, n.AchievedRate, limits.MaxRateDropPercent),
        new("sent", "", b.Sent, n.Sent, false, null),
        new("accepted", "", b.Accepted, n.Accepted, false, null),
        new("errors", "", b.Errors, n.Errors, false, null),
        new("success", "%", b.SuccessPercent, n.SuccessPercent,
            b.SuccessPercent is double bs && (n.SuccessPercent is not double ns || bs - ns > limits.MaxSuccessDropPoints),
            $"drop > {limits.MaxSuccessDropPoints:0.###} points"),
        new("ack p50", "ms", b.AckP50Ms, n.AckP50Ms, false, null),
        new("ack p90", "ms", b.AckP90Ms, n.AckP90Ms, false, null),
        Rise("ack p99", "ms", b.AckP99Ms, n.AckP99Ms, limits.MaxAckP99RisePercent),
        new("ack max", "ms", b.AckMaxMs, n.AckMaxMs, false, null),
        new("raw ack p99", "ms", b.RawAckP99Ms, n.RawAckP99Ms, false, null),
        new("included", "", b.Included, n.Included, false, null),
        new("not included", "", b.NotIncluded, n.NotIncluded, false, null),
        new("inclusion p50", "ms", b.InclusionP50Ms, n.InclusionP50Ms, false, null),
        Rise("inclusion p99", "ms", b.InclusionP99Ms, n.InclusionP99Ms, limits.MaxInclusionP99RisePercent),
        new("blocks", "", b.Blocks, n.Blocks, false, null),
    ];

    // A missing NEW value where BASE had one (nothing answered / nothing included) is a regression too.
    private static MetricDelta Drop(string name, string unit, double? b, double? n, double maxPercent) =>
        new(name, unit, b, n, b is double bv && bv > 0 && (n is not double nv || (nv - bv) / bv * 100 < -maxPercent), $"drop > {maxPercent:0.###} %");

    private static MetricDelta Rise(string name, string unit, double? b, double? n, double maxPercent) =>
        new(name, unit, b, n, b is double bv && bv > 0 && (n is not double nv || (nv - bv) / bv * 100 > maxPercent), $"rise > {maxPercent:0.###} %");
}
