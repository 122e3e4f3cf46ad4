using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Reads;

/// <summary>
/// The hashes of the run's most recently included txs (a small ring), for <c>eth_getTransactionReceipt</c> reads:
/// the block watchers add, the read senders take. Copies 32 bytes under a lock either way; allocates nothing.
/// </summary>
public sealed class RecentTxHashes
{
    public const int Capacity = 256;

    private readonly Lock _gate = new();
    private readonly Hash256[] _hashes = new Hash256[Capacity];
    private long _added;

    /// <summary>Hashes added so far (all time).</summary>
    public long Added
    {
        get { lock (_gate) return _added; }
    }

    public void Add(in Hash256 hash)
    {
        lock (_gate)
        {
            _hashes[(int)(_added % Capacity)] = hash;
            _added++;
        }
    }

    /// <summary>The <paramref name="k"/>-th of the retained hashes, rotating over them; false while none was added.</summary>
    public bool TryGet(long k, out Hash256 hash)
    {
        lock (_gate)
        {
            long held = Math.Min(_added, Capacity);
            if (held == 0)
            {
                hash = default;
                return false;
            }
            // Newest first: k = 0 is the last added.
            long index = (_added - 1 - (k % held)) % Capacity;
            hash = _hashes[(int)index];
            return true;
        }
    }
}
