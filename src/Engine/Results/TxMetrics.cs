namespace FastLoad.Engine.Results;

/// <summary>Tx metrics of a whole run (<see cref="Node"/> null) or of one node. Latencies in ms, null when no tx had one.</summary>
public sealed class TxMetrics
{
    public int? Node { get; init; }
    public string? Url { get; init; }
    public long Sent { get; init; }
    public long Answered { get; init; }

    /// <summary>Accepted, including already_known (the node has the tx).</summary>
    public long Accepted { get; init; }

    public long Errors { get; init; }

    /// <summary>Error outcome name → count, largest first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> ErrorsByClass { get; init; } = [];

    /// <summary>Sent per second of sending time.</summary>
    public double AchievedRate { get; init; }

    /// <summary>Accepted / answered × 100; null when nothing was answered.</summary>
    public double? SuccessPercent => Answered == 0 ? null : Accepted * 100.0 / Answered;

    public double? AckP50Ms { get; init; }
    public double? AckP90Ms { get; init; }
    public double? AckP99Ms { get; init; }
    public double? AckMaxMs { get; init; }

    /// <summary>p99 of ack − actual send time (hides sender stalls; compare with <see cref="AckP99Ms"/>).</summary>
    public double? RawAckP99Ms { get; init; }

    public long Included { get; init; }
    public long NotIncluded { get; init; }
    public double? InclusionP50Ms { get; init; }
    public double? InclusionP99Ms { get; init; }
    public long Blocks { get; init; }
}
