using FastLoad.Engine.Wallets;

namespace FastLoad.Engine.Load;

/// <summary>
/// A ring slot: one signed transaction, ready to send. The JSON-RPC call object (hex already
/// written) lives in <see cref="Call"/>; the rest is what the response handler needs.
/// Slots are preallocated and reused; nothing here is allocated per tx.
/// </summary>
public sealed class PresignedTx(int callCapacity)
{
    /// <summary><c>{"jsonrpc":"2.0","id":N,"method":"eth_sendRawTransaction","params":["0x…"]}</c>.</summary>
    public byte[] Call { get; private set; } = new byte[callCapacity];

    public int CallLength;

    public readonly byte[] TxHash = new byte[32];

    public Wallet? Wallet;

    public ulong Nonce;

    public int Epoch;

    /// <summary>What the tx does (the workload's op; a replayed tx is a transfer).</summary>
    public Workloads.WorkloadOp Op;

    /// <summary>JSON-RPC id, unique in the run.</summary>
    public long Id;

    /// <summary>Stopwatch ticks when the tx was signed.</summary>
    public long SignedTicks;

    public void EnsureCapacity(int bytes)
    {
        if (Call.Length < bytes) Call = new byte[Math.Max(bytes, Call.Length * 2)];
    }
}

/// <summary>What a sent batch remembers of each tx after its ring slot is reused.</summary>
public struct InFlightTx
{
    public long Id;
    public Wallet Wallet;
    public ulong Nonce;
    public int Epoch;

    /// <summary>What the tx does (see <see cref="PresignedTx.Op"/>).</summary>
    public Workloads.WorkloadOp Op;

    /// <summary>Index of the node it went to.</summary>
    public byte Node;
    public long IntendedTicks;
    public long SentTicks;
    public Primitives.Hash256 TxHash;
}
