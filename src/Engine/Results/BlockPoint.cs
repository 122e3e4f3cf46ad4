namespace FastLoad.Engine.Results;

/// <summary>One block of <see cref="RunSeries.Blocks"/>: its number, all its txs, how many were ours, gas used.</summary>
public readonly record struct BlockPoint(long Number, long TxCount, long OurTxCount, long GasUsed);
