using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Load;

/// <summary>Receives the outcome of every sent tx (on response-handler threads; must be thread-safe and cheap).</summary>
public interface ITxResultSink
{
    void OnResult(in InFlightTx tx, TxOutcome outcome, long ackTicks);
}
