using System.Collections.Concurrent;
using FastLoad.Engine.Load;
using FastLoad.Engine.Rpc;

namespace FastLoad.Tests.Infrastructure;

/// <summary>Keeps every tx outcome a run reports (LoadRun.Results), for checks against the chain.</summary>
public sealed class TxCollector : ITxResultSink
{
    public readonly ConcurrentQueue<(InFlightTx Tx, TxOutcome Outcome)> Results = new();

    public void OnResult(in InFlightTx tx, TxOutcome outcome, long ackTicks, ReadOnlySpan<byte> error) => Results.Enqueue((tx, outcome));
}
