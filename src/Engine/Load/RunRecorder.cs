using FastLoad.Engine.Inclusion;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Load;

/// <summary>
/// The run's own view of every outcome: accepted txs go to the inclusion tracker; everything is passed on to
/// the caller's sink, if any. Runs on response-handler threads; allocates nothing.
/// </summary>
internal sealed class RunRecorder(ITxResultSink? next) : ITxResultSink
{
    public InclusionTracker? Tracker { get; set; }

    public void OnResult(in InFlightTx tx, TxOutcome outcome, long ackTicks)
    {
        if (outcome == TxOutcome.Accepted) Tracker?.Add(tx.TxHash, tx.Id, tx.IntendedTicks);
        next?.OnResult(tx, outcome, ackTicks);
    }
}
