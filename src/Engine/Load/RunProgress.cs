namespace FastLoad.Engine.Load;

/// <summary>A snapshot of a run in progress, for the live view (taken a few times a second; cold path).</summary>
public sealed record RunProgress
{
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Planned sending time; null when the run ends by count or replay.</summary>
    public TimeSpan? Total { get; init; }

    /// <summary>Planned tx count, if any.</summary>
    public long? TargetCount { get; init; }

    /// <summary>Total tx/s the shape asks for now (constant: --rate); null for --max.</summary>
    public double? TargetRate { get; init; }

    /// <summary>The load shape when it is not constant (e.g. ramp:50..300), else null.</summary>
    public string? Shape { get; init; }

    /// <summary>Sent per second over the last interval.</summary>
    public required double Rate { get; init; }

    public required long Sent { get; init; }

    /// <summary>Answered by the node (accepted or refused).</summary>
    public required long Acked { get; init; }

    public required long Accepted { get; init; }

    public required long Included { get; init; }

    /// <summary>Error counts by class (snake_case outcome name), only classes seen so far.</summary>
    public required IReadOnlyList<KeyValuePair<string, long>> Errors { get; init; }

    /// <summary>Milliseconds; null before the first sample.</summary>
    public double? AckP50Ms { get; init; }

    public double? AckP99Ms { get; init; }

    public double? InclusionP50Ms { get; init; }

    public double? InclusionP99Ms { get; init; }

    public required int RingFill { get; init; }

    public required int RingCapacity { get; init; }

    /// <summary>The circuit breaker holds the rate down to this fraction; null when closed.</summary>
    public double? BreakerFraction { get; init; }

    /// <summary>Result records dropped because the results writer fell behind (0 normally).</summary>
    public long DroppedRecords { get; init; }

    public required IReadOnlyList<NodeProgress> Nodes { get; init; }

    /// <summary>The read traffic (<c>--read-rate</c>) so far; null without it.</summary>
    public ReadProgress? Reads { get; init; }

    /// <summary>Preconfirmations (<c>--confirm-ws</c>) so far; null without streams.</summary>
    public PreconfProgress? Preconf { get; init; }
}

/// <summary>The preconfirmation streams' share of a <see cref="RunProgress"/>.</summary>
/// <param name="Preconfirmed">Txs of ours that some stream mentioned (each counted once, at its earliest mention).</param>
/// <param name="Streams">Streams listened to (<c>--confirm-ws</c>).</param>
/// <param name="P50Ms">Earliest mention minus intended send time; null before the first.</param>
public sealed record PreconfProgress(long Preconfirmed, int Streams, double? P50Ms, double? P99Ms);

/// <summary>The read traffic's share of a <see cref="RunProgress"/>.</summary>
/// <param name="Rate">Reads sent per second over the last interval.</param>
/// <param name="TargetRate">Reads/s asked of this process (<c>--read-rate</c>, all nodes; its share of it with <c>--shard</c>).</param>
/// <param name="Errors">Reads answered with an error or not answered (any outcome but ok).</param>
/// <param name="P50Ms">Read latency from each read's intended time; null before the first answer.</param>
public sealed record ReadProgress(double Rate, double TargetRate, long Sent, long Answered, long Errors, double? P50Ms, double? P99Ms);

/// <summary>One node's share of a <see cref="RunProgress"/>.</summary>
public sealed record NodeProgress(string Url, double Rate, long Sent, long Accepted, long Errors, long Included, double? AckP50Ms, double? AckP99Ms);

/// <summary>Where a run reports its progress and messages (the CLI's live view or plain lines).</summary>
public interface IRunProgressView
{
    /// <summary>A new snapshot, a few times a second while sending.</summary>
    void Update(RunProgress progress);

    /// <summary>A one-line message (setup steps, breaker trips) to show with the progress.</summary>
    void Message(string line);

    /// <summary>Sending is over: leave the final state on screen and release the console.</summary>
    void Complete();
}
