namespace FastLoad.Engine.Results;

/// <summary>How much worse NEW may be than BASE before <c>fastload compare</c> calls it a regression.</summary>
public sealed record CompareThresholds
{
    /// <summary>Achieved tx/s may drop by at most this many percent.</summary>
    public double MaxRateDropPercent { get; init; } = 5;

    /// <summary>Ack latency p99 may rise by at most this many percent.</summary>
    public double MaxAckP99RisePercent { get; init; } = 10;

    /// <summary>Success % may drop by at most this many percentage points.</summary>
    public double MaxSuccessDropPoints { get; init; } = 0.5;

    /// <summary>Inclusion latency p99 may rise by at most this many percent.</summary>
    public double MaxInclusionP99RisePercent { get; init; } = 20;

    /// <summary>Read latency p99 (<c>--read-rate</c>) may rise by at most this many percent.</summary>
    public double MaxReadP99RisePercent { get; init; } = 20;

    /// <summary>The share of reads that failed may rise by at most this many percentage points.</summary>
    public double MaxReadErrorRisePoints { get; init; } = 0.5;
}
