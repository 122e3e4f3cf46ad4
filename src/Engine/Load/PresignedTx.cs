using FastLoad.Engine.Wallets;

namespace FastLoad.Engine.Load;

/// <summary>
/// A ring slot: one signed transaction, ready to send. The JSON-RPC call object (hex already
/// written) lives in <see cref="Call"/>; the rest is what the response handler needs.
/// Slots are preallocated and reused; nothing here is allocated per tx. A ring's slots keep their call bytes in one
/// shared slab (<see cref="PresignedTx(byte[], int, int)"/>): one large array instead of one small array per slot,
/// so a ring of 32k slots costs the garbage collector one allocation at set-up, not 32k gen0 objects to promote.
/// </summary>
public sealed class PresignedTx
{
    private byte[] _buffer;
    private int _offset;
    private int _capacity;

    /// <summary>A slot with a call buffer of its own.</summary>
    public PresignedTx(int callCapacity) : this(new byte[callCapacity], 0, callCapacity)
    {
    }

    /// <summary>A slot whose call bytes are <paramref name="capacity"/> bytes of <paramref name="slab"/> from <paramref name="offset"/>.</summary>
    public PresignedTx(byte[] slab, int offset, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)offset + capacity, slab.Length, nameof(capacity));
        _buffer = slab;
        _offset = offset;
        _capacity = capacity;
    }

    /// <summary>Room for the call: <c>{"jsonrpc":"2.0","id":N,"method":"eth_sendRawTransaction","params":["0x…"]}</c>.</summary>
    public Span<byte> Call => new(_buffer, _offset, _capacity);

    /// <summary>The call written into <see cref="Call"/> (its first <see cref="CallLength"/> bytes).</summary>
    public ReadOnlySpan<byte> CallBytes => new(_buffer, _offset, CallLength);

    public int CallLength;

    public readonly byte[] TxHash = new byte[32];

    public Wallet? Wallet;

    public ulong Nonce;

    public int Epoch;

    /// <summary>What the tx does (the workload's op; a replayed tx is a transfer).</summary>
    public Workloads.WorkloadOp Op;

    /// <summary>JSON-RPC id, unique in the run.</summary>
    public long Id;

    /// <summary>
    /// Stopwatch ticks when the tx was signed (a replayed tx: when it was put in the ring, read once per group of
    /// txs unless it waits for inclusion; see <see cref="ReplayFeeder"/>). Only the inclusion wait reads it.
    /// </summary>
    public long SignedTicks;

    /// <summary>Makes room for a call of <paramref name="bytes"/> (a call longer than the slab gives: a buffer of the slot's own, rare).</summary>
    public void EnsureCapacity(int bytes)
    {
        if (_capacity >= bytes) return;
        _buffer = new byte[Math.Max(bytes, _capacity * 2)];
        _offset = 0;
        _capacity = _buffer.Length;
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
