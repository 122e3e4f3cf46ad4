using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Load;

/// <summary>
/// Receives the outcome of every sent tx (on response-handler threads; must be thread-safe and cheap).
/// <paramref name="error"/> is the node's error text (UTF-8, JSON-unescaped as far as the reader does), empty when accepted.
/// </summary>
public interface ITxResultSink
{
    void OnResult(in InFlightTx tx, TxOutcome outcome, long ackTicks, ReadOnlySpan<byte> error);
}
