using FastLoad.Engine.Primitives;

namespace FastLoad.Engine.Receipts;

/// <summary>
/// The included txs whose receipt is fetched after the run (<c>--receipts N%</c>): the block watchers offer every
/// included tx; a tx is taken when a hash of its id falls under the share, so the sample is spread evenly over the run
/// (not the first N %) and the same for a given id. Bounded at <see cref="MaxTxs"/> (then counted as skipped).
/// </summary>
public sealed class ReceiptSample
{
    public const int MaxTxs = 1_000_000;

    private readonly Lock _gate = new();
    private readonly List<(long Id, Hash256 Hash, byte Node)> _txs = [];
    private readonly ulong _threshold; // of 10,000
    private long _skipped;

    /// <param name="percent">0..100.</param>
    public ReceiptSample(double percent)
    {
        if (!(percent is >= 0 and <= 100)) throw new ArgumentOutOfRangeException(nameof(percent), "a share from 0 to 100 %");
        Percent = percent;
        _threshold = (ulong)Math.Round(percent * 100);
    }

    public double Percent { get; }

    /// <summary>Included txs that fell in the sample but were past <see cref="MaxTxs"/>.</summary>
    public long Skipped
    {
        get { lock (_gate) return _skipped; }
    }

    /// <summary>Whether the tx with this id is in the sample.</summary>
    public bool Takes(long id) => _threshold >= 10_000 || Mix((ulong)id) % 10_000 < _threshold;

    /// <summary>An included tx (block watcher threads): kept if it is in the sample.</summary>
    public void Offer(long id, in Hash256 hash, int node)
    {
        if (!Takes(id)) return;
        lock (_gate)
        {
            if (_txs.Count >= MaxTxs) _skipped++;
            else _txs.Add((id, hash, (byte)node));
        }
    }

    /// <summary>The sampled txs so far (cold: after the run).</summary>
    public List<(long Id, Hash256 Hash, byte Node)> Take()
    {
        lock (_gate) return [.. _txs];
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
