using System.Diagnostics;
using FastLoad.Engine.Inclusion;
using FastLoad.Engine.Metrics;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Load;

/// <summary>
/// The run's own view of every outcome: ack latency from the intended send time (so a stalled sender shows up
/// as latency: no coordinated omission) and from the actual send time; accepted txs go to the inclusion
/// tracker; everything is passed on to the caller's sink, if any. Runs on response-handler threads; allocates nothing.
/// </summary>
internal sealed class RunRecorder(ITxResultSink? next) : ITxResultSink
{
    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    public InclusionTracker? Tracker { get; set; }

    /// <summary>Ack latency measured from each tx's intended send time.</summary>
    public LatencyHistogram AckFromIntended { get; } = new();

    /// <summary>Ack latency measured from the moment the tx actually went out.</summary>
    public LatencyHistogram AckFromSent { get; } = new();

    /// <summary>Block-seen time minus intended send time, for included txs.</summary>
    public LatencyHistogram Inclusion { get; } = new();

    public static long Micros(long ticks) => (long)(ticks * MicrosPerTick);

    public void OnResult(in InFlightTx tx, TxOutcome outcome, long ackTicks)
    {
        AckFromIntended.RecordConcurrent(Micros(ackTicks - tx.IntendedTicks));
        AckFromSent.RecordConcurrent(Micros(ackTicks - tx.SentTicks));
        if (outcome == TxOutcome.Accepted) Tracker?.Add(tx.TxHash, tx.Id, tx.IntendedTicks);
        next?.OnResult(tx, outcome, ackTicks);
    }

    public void OnIncluded(TxIncluded included) => Inclusion.RecordConcurrent(Micros(included.SeenTicks - included.SentTicks));
}
