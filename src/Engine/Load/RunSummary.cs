using System.Globalization;
using System.Text;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Load;

/// <summary>What a run did, per node and in total.</summary>
public sealed class RunSummary
{
    public required IReadOnlyList<NodeStats> Nodes { get; init; }

    public required TimeSpan SendDuration { get; init; }

    public required double? TargetRate { get; init; }

    public required long Signed { get; init; }

    public required double CpuSeconds { get; init; }

    public required int BreakerTrips { get; init; }

    public required long Resyncs { get; init; }

    public bool Interrupted { get; init; }

    /// <summary>Accepted txs seen in a block by the end of the grace period.</summary>
    public long Included { get; init; }

    /// <summary>Accepted txs not seen in any block by the end of the grace period.</summary>
    public long NotIncluded { get; init; }

    /// <summary>Accepted txs not tracked for inclusion (the tracker's bound was reached).</summary>
    public long Untracked { get; init; }

    /// <summary>Ack latency from each tx's intended send time (µs).</summary>
    public Metrics.LatencyHistogram? AckLatency { get; init; }

    /// <summary>Ack latency from the actual send time (µs).</summary>
    public Metrics.LatencyHistogram? AckLatencyFromSend { get; init; }

    /// <summary>Block-seen time minus intended send time, included txs (µs).</summary>
    public Metrics.LatencyHistogram? InclusionLatency { get; init; }

    /// <summary>Ack latency from the intended send time, per node (same order as <see cref="Nodes"/>).</summary>
    public IReadOnlyList<Metrics.LatencyHistogram>? AckLatencyByNode { get; init; }

    /// <summary>Inclusion latency per node (same order as <see cref="Nodes"/>).</summary>
    public IReadOnlyList<Metrics.LatencyHistogram>? InclusionLatencyByNode { get; init; }

    /// <summary>The results file, if one was written.</summary>
    public string? ResultsPath { get; init; }

    /// <summary>Result records the writer could not keep (it fell behind or failed).</summary>
    public long DroppedRecords { get; init; }

    /// <summary>How new blocks were learned of: websocket, polling (or both, per node).</summary>
    public string? HeadsVia { get; init; }

    /// <summary>Blocks observed during the run.</summary>
    public int Blocks { get; init; }

    public long Sent => Nodes.Sum(n => n.Sent);

    public long Accepted => Nodes.Sum(n => n.Accepted + n.Count(TxOutcome.AlreadyKnown));

    public long Errors => Nodes.Sum(n => n.Errors);

    public double AchievedRate => SendDuration.TotalSeconds > 0 ? Sent / SendDuration.TotalSeconds : 0;

    public string Format()
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.AppendLine(Interrupted ? "Run interrupted (Ctrl-C): summary of what was sent" : "Run complete");
        s.AppendLine(string.Create(c, $"  duration     {SendDuration.TotalSeconds:F2} s"));
        s.AppendLine(string.Create(c, $"  rate         {AchievedRate:N0} tx/s achieved{(TargetRate is double t ? string.Create(c, $" (target {t:N0}, {AchievedRate / t:P1})") : " (--max)")}"));
        s.AppendLine(string.Create(c, $"  sent         {Sent:N0}   accepted {Accepted:N0}   errors {Errors:N0}   signed {Signed:N0}"));
        s.AppendLine(Blocks == 0
            ? "  included     - (the node produced no block during the run)"
            : string.Create(c, $"  included     {Included:N0} in {Blocks:N0} blocks{(HeadsVia is null ? "" : $" (heads via {HeadsVia})")}{(NotIncluded > 0 ? string.Create(c, $"   NOT included after the grace period: {NotIncluded:N0}") : "")}{(Untracked > 0 ? string.Create(c, $"   not tracked (bound reached): {Untracked:N0}") : "")}"));
        AppendLatency(s, "ack latency ", AckLatency, "from intended send time");
        AppendLatency(s, "  (raw)     ", AckLatencyFromSend, "from actual send time");
        AppendLatency(s, "inclusion   ", InclusionLatency, "block seen - intended send time");
        s.AppendLine(string.Create(c, $"  nonce resyncs {Resyncs:N0}   breaker trips {BreakerTrips}   CPU {CpuSeconds:F1} s ({CpuSeconds / Math.Max(0.001, SendDuration.TotalSeconds) * 100:F0}% of one core)"));
        for (int n = 0; n < Nodes.Count; n++)
        {
            NodeStats node = Nodes[n];
            s.Append(string.Create(c, $"  node {node.Url}: sent {node.Sent:N0}, accepted {node.Accepted:N0}, {node.Sent / Math.Max(0.001, SendDuration.TotalSeconds):N0} tx/s, batches {node.Batches:N0}, revoked {node.Revoked:N0}"));
            if (AckLatencyByNode?[n] is { Count: > 0 } h)
                s.Append(string.Create(c, $", ack p50/p99 {h.MillisAtPercentile(50):N1}/{h.MillisAtPercentile(99):N1} ms"));
            if (InclusionLatencyByNode?[n] is { Count: > 0 } i)
                s.Append(string.Create(c, $", inclusion p50/p99 {i.MillisAtPercentile(50):N1}/{i.MillisAtPercentile(99):N1} ms"));
            foreach (TxOutcome outcome in Enum.GetValues<TxOutcome>())
            {
                if (outcome is TxOutcome.Pending or TxOutcome.Accepted) continue;
                long count = node.Count(outcome);
                if (count > 0) s.Append(string.Create(c, $", {outcome} {count:N0}"));
            }
            s.AppendLine();
        }
        if (ResultsPath is not null)
            s.AppendLine(DroppedRecords == 0
                ? $"  results      {ResultsPath}"
                : string.Create(c, $"  results      {ResultsPath}   WARNING: {DroppedRecords:N0} records dropped (the writer fell behind)"));
        return s.ToString();
    }

    private static void AppendLatency(StringBuilder s, string label, Metrics.LatencyHistogram? h, string what)
    {
        if (h is null || h.Count == 0) return;
        static string Ms(long micros) => (micros / 1000.0).ToString("N1", CultureInfo.InvariantCulture);
        s.AppendLine($"  {label} p50 {Ms(h.ValueAtPercentile(50))} ms   p99 {Ms(h.ValueAtPercentile(99))} ms   max {Ms(h.Max)} ms   ({what})");
    }
}
