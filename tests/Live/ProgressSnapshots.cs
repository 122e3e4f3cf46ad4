using FastLoad.Engine.Load;

namespace FastLoad.Tests.Live;

internal static class ProgressSnapshots
{
    /// <summary>5 s into a 30 s run at 200 tx/s over two nodes, with errors of two classes.</summary>
    public static RunProgress TwoNodes(double seconds = 5, long sent = 1_000) => new()
    {
        Elapsed = TimeSpan.FromSeconds(seconds),
        Total = TimeSpan.FromSeconds(30),
        TargetRate = 200,
        Rate = 199.6,
        Sent = sent,
        Acked = 990,
        Accepted = 987,
        Included = 800,
        Errors = [new("nonce_too_low", 2), new("underpriced", 1)],
        AckP50Ms = 3.04,
        AckP99Ms = 9.5,
        InclusionP50Ms = 1_020.4,
        InclusionP99Ms = 2_100,
        RingFill = 120,
        RingCapacity = 256,
        BreakerFraction = 0.5,
        DroppedRecords = 12,
        Nodes =
        [
            new NodeProgress("http://a:8545", 100, 600, 598, 2, 500, 2.5, 8.25),
            new NodeProgress("http://b:8545", 99.6, 400, 389, 1, 300, 3.5, 9.75),
        ],
    };

    /// <summary><see cref="OneNodeByCount"/> with reads alongside (--read-rate 100): 98 reads/s now, 3 of 500 failed.</summary>
    public static RunProgress OneNodeWithReads() => OneNodeByCount() with { Reads = new ReadProgress(98.4, 100, 500, 497, 3, 1.26, 12.34) };

    /// <summary>The same run listening to two preconfirmation streams (<c>--confirm-ws</c>).</summary>
    public static RunProgress OneNodeWithPreconfs() => OneNodeByCount() with { Preconf = new PreconfProgress(4_870, 2, 0.84, 6.71) };

    /// <summary>A single-node run by count, at --max, nothing wrong.</summary>
    public static RunProgress OneNodeByCount() => new()
    {
        Elapsed = TimeSpan.FromSeconds(2.4),
        TargetCount = 10_000,
        Rate = 2_500,
        Sent = 5_000,
        Acked = 5_000,
        Accepted = 5_000,
        Included = 0,
        Errors = [],
        AckP50Ms = 1,
        AckP99Ms = 4,
        RingFill = 0,
        RingCapacity = 1_024,
        Nodes = [new NodeProgress("http://127.0.0.1:8545", 2_500, 5_000, 5_000, 0, 0, 1, 4)],
    };
}
