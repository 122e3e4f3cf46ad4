namespace FastLoad.Engine.Reads;

/// <summary>What the read traffic did (data; <see cref="Load.RunSummary.Format"/> prints it).</summary>
public sealed record ReadSummary
{
    /// <summary>--read-method as asked (eth_getTransactionReceipt reads go as eth_blockNumber until a tx is included).</summary>
    public required ReadMethod Method { get; init; }

    /// <summary>Reads/s asked for, across all nodes.</summary>
    public required double Rate { get; init; }

    public required long Sent { get; init; }

    public required long Ok { get; init; }

    /// <summary>Reads answered with an error or not at all.</summary>
    public required long Errors { get; init; }

    /// <summary>Not-ok reads by outcome name (error, rate_limited, http_error, connection_lost, no_answer).</summary>
    public IReadOnlyList<KeyValuePair<string, long>> ErrorsByOutcome { get; init; } = [];

    /// <summary>Reads due before sending stopped that never went out.</summary>
    public long Unsent { get; init; }

    /// <summary>Answer time minus intended time (µs).</summary>
    public required Metrics.LatencyHistogram Latency { get; init; }

    /// <summary>Answer time minus send time (µs).</summary>
    public required Metrics.LatencyHistogram LatencyFromSent { get; init; }
}
