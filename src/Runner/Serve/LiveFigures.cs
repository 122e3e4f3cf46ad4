using FastLoad.Engine.Load;
using FastLoad.Engine.Metrics;
using FastLoad.Engine.Rpc;
using FastLoad.Runner.Monitoring;

namespace FastLoad.Runner.Serve;

/// <summary>A served run's figures at one second (JSON, camelCase): what the dashboard's charts and per-node table draw.</summary>
/// <param name="Second">Whole seconds since the run was started (the same clock for every sample of a run).</param>
/// <param name="TargetRate">Tx/s the load shape asks for now; null for --max and outside sending.</param>
/// <param name="AchievedRate">Tx/s sent over the last second, every node.</param>
/// <param name="ErrorRate">Txs refused or unanswered per second since the previous sample.</param>
/// <param name="AckP50Ms">Ack latency (from the intended send time) of the txs answered since the previous sample; null when none was.</param>
public sealed record LiveFigures(
    int Second,
    DateTimeOffset Time,
    string Stage,
    double? TargetRate,
    double AchievedRate,
    double ErrorRate,
    double? AckP50Ms,
    double? AckP99Ms,
    long Sent,
    long Accepted,
    long Errors,
    long Included,
    long InFlight,
    long Signed,
    int RingFill,
    int Wallets,
    int WalletsResyncing,
    bool BreakerOpen,
    IReadOnlyList<NodeFigures> Nodes);

/// <summary>One node's running totals; latency percentiles over the whole run so far.</summary>
public sealed record NodeFigures(int Node, string Url, double Rate, long Sent, long Accepted, long Errors, long Included, long InFlight, double? AckP50Ms, double? AckP99Ms);

/// <summary>
/// Turns a <see cref="RunMonitor"/> into one <see cref="LiveFigures"/> a second: totals straight from the run's counters,
/// rates and per-second latency from the difference with the previous read (the histograms' bucket counts, so the
/// percentiles are those of exactly the txs answered in between, at the histogram's resolution). Read on a timer,
/// never per tx.
/// </summary>
internal sealed class LiveFigureReader(RunMonitor monitor, DateTimeOffset startedAt)
{
    private readonly DateTimeOffset _startedAt = startedAt;
    private long[] _lastAck = [];
    private long _lastErrors;
    private DateTimeOffset _lastTime = startedAt;

    public LiveFigures Read(DateTimeOffset now)
    {
        RunMonitorSnapshot s = monitor.Read();
        long sent = 0, accepted = 0, errors = 0, included = 0, inFlight = 0;
        double rate = 0;
        var nodes = new NodeFigures[s.Nodes.Count];
        long[] ack = _lastAck.Length == 0 && s.Nodes.Count > 0 ? new long[s.Nodes[0].AckLatency.BucketCount] : (long[])_lastAck.Clone();
        var interval = new long[ack.Length];
        for (int i = 0; i < s.Nodes.Count; i++)
        {
            NodeMonitor node = s.Nodes[i];
            NodeStats stats = node.Stats;
            long nodeAccepted = stats.Accepted + stats.Count(TxOutcome.AlreadyKnown);
            nodes[i] = new NodeFigures(node.Index, stats.Url, node.Rate, stats.Sent, nodeAccepted, stats.Errors, node.Included, node.InFlight,
                node.AckLatency.MillisAtPercentile(50), node.AckLatency.MillisAtPercentile(99));
            sent += stats.Sent;
            accepted += nodeAccepted;
            errors += stats.Errors;
            included += node.Included;
            inFlight += node.InFlight;
            rate += node.Rate;
            ReadOnlySpan<long> counts = node.AckLatency.Counts;
            for (int b = 0; b < counts.Length && b < interval.Length; b++) interval[b] += Volatile.Read(in counts[b]);
        }
        // interval holds the totals now; what came since the last read is their difference with the last totals
        for (int b = 0; b < interval.Length; b++) (interval[b], ack[b]) = (interval[b] - ack[b], interval[b]);
        double seconds = Math.Max(0.001, (now - _lastTime).TotalSeconds);
        double errorRate = Math.Max(0, errors - _lastErrors) / seconds;
        _lastAck = ack;
        _lastErrors = errors;
        _lastTime = now;
        return new LiveFigures(
            (int)Math.Round((now - _startedAt).TotalSeconds), now, RunExporter.StageName(s.Stage), s.TargetRate, rate, errorRate,
            PercentileMillis(interval, 50), PercentileMillis(interval, 99),
            sent, accepted, errors, included, inFlight, s.Signed, s.RingFill, s.Wallets, s.WalletsResyncing, s.BreakerOpen, nodes);
    }

    /// <summary>The percentile of samples counted per <see cref="LatencyHistogram"/> bucket, in ms (its bucket's upper edge, as the histogram reports); null when empty.</summary>
    internal static double? PercentileMillis(ReadOnlySpan<long> counts, double percentile)
    {
        long total = 0;
        foreach (long c in counts) total += c;
        if (total == 0) return null;
        long rank = Math.Max(1, (long)(percentile / 100 * total + 0.5));
        long seen = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank) return LatencyHistogram.HighestEquivalentOfIndex(i) / 1000.0;
        }
        return null;
    }
}
