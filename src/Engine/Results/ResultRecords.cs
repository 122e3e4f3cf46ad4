using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Results;

/// <summary>One answered tx, as queued from a response handler to the results writer (times are raw Stopwatch ticks).</summary>
public struct TxRecord
{
    public long Id;
    public Hash256 Hash;
    public int Wallet;
    public ulong Nonce;
    public byte Node;
    public byte Outcome;
    public byte Op;     // Workloads.WorkloadOp
    public int ErrorId; // 0 = no message
    public long IntendedTicks;
    public long SentTicks;
    public long AckTicks;
}

/// <summary>One of our txs seen in a block.</summary>
public struct InclusionRecord
{
    public long Id;
    public ulong Block;
    public long SeenTicks;
}

/// <summary>One of our txs first mentioned by a confirmation stream (<c>--confirm-ws</c>).</summary>
public struct PreconfRecord
{
    public long Id;
    public byte Stream;
    public long SeenTicks;
}

/// <summary>One answered (or failed) read, as queued from a connection's reader to the results writer (times are raw Stopwatch ticks).</summary>
public struct ReadRecord
{
    public long Id;
    public byte Node;
    public byte Method;  // Reads.ReadMethod
    public byte Outcome; // Reads.ReadOutcome
    public int ErrorId;  // 0 = no message
    public long IntendedTicks;
    public long SentTicks;
    public long AckTicks;
}

/// <summary>The receipt of one included tx, fetched after the run (<c>--receipts</c>).</summary>
public readonly record struct ReceiptRecord(long Id, ulong GasUsed, bool Success);
