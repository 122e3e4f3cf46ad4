using System.Runtime.InteropServices;

namespace FastLoad.Engine.Load;

/// <summary>
/// A bounded, lock-free, multi-producer multi-consumer ring of presigned transactions
/// (Vyukov's bounded queue: each cell carries a sequence number that says whose turn it is).
/// Producers (signer threads) sign straight into a slot between <see cref="TryBeginWrite"/> and
/// <see cref="EndWrite"/>; consumers (senders) copy a slot out between <see cref="TryBeginRead"/>
/// and <see cref="EndRead"/>. Slots are preallocated, so the ring allocates nothing while running.
/// </summary>
public sealed class PresignedRing
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Cell
    {
        public long Sequence;
        public PresignedTx Tx;
    }

    // Keep the two cursors on separate cache lines.
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Cursors
    {
        [FieldOffset(64)] public long Enqueue;
        [FieldOffset(128)] public long Dequeue;
    }

    private readonly Cell[] _cells;
    private readonly long _mask;
    private Cursors _cursors;

    public PresignedRing(int capacity, int callCapacity)
    {
        if (capacity < 2) throw new ArgumentOutOfRangeException(nameof(capacity), "ring capacity must be at least 2");
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _cells = new Cell[size];
        _mask = size - 1;
        for (int i = 0; i < size; i++) _cells[i] = new Cell { Sequence = i, Tx = new PresignedTx(callCapacity) };
    }

    public int Capacity => _cells.Length;

    /// <summary>Approximate number of ready slots (for the ring-fill gauge).</summary>
    public int Count => (int)Math.Clamp(Volatile.Read(ref _cursors.Enqueue) - Volatile.Read(ref _cursors.Dequeue), 0, _cells.Length);

    /// <summary>Claims a free slot to fill; false when the ring is full.</summary>
    public bool TryBeginWrite(out PresignedTx tx, out long position) => TryClaim(ref _cursors.Enqueue, 0, out tx, out position);

    /// <summary>
    /// Claims a free slot, waiting while the ring is full (spinning, then 1 ms sleeps); false if
    /// <paramref name="shouldStop"/> says to give up.
    /// </summary>
    public bool BeginWrite(out PresignedTx tx, out long position, Func<bool> shouldStop)
    {
        var spin = new SpinWait();
        while (!TryBeginWrite(out tx, out position))
        {
            if (shouldStop()) return false;
            spin.SpinOnce(sleep1Threshold: 30);
        }
        return true;
    }

    /// <summary>Publishes a slot filled after <see cref="TryBeginWrite"/>.</summary>
    public void EndWrite(long position) => Volatile.Write(ref _cells[position & _mask].Sequence, position + 1);

    /// <summary>Claims the oldest ready slot; false when the ring is empty.</summary>
    public bool TryBeginRead(out PresignedTx tx, out long position) => TryClaim(ref _cursors.Dequeue, 1, out tx, out position);

    /// <summary>
    /// The one step of Vyukov's queue both sides share: a cell is the cursor's when its sequence equals
    /// cursor + <paramref name="offset"/> (0 for a writer: free; 1 for a reader: published); behind it means
    /// full (writer) or empty (reader); ahead means another thread moved the cursor, so reload it.
    /// </summary>
    private bool TryClaim(ref long cursor, long offset, out PresignedTx tx, out long position)
    {
        long pos = Volatile.Read(ref cursor);
        while (true)
        {
            ref Cell cell = ref _cells[pos & _mask];
            long difference = Volatile.Read(ref cell.Sequence) - (pos + offset);
            if (difference == 0)
            {
                long seen = Interlocked.CompareExchange(ref cursor, pos + 1, pos);
                if (seen == pos)
                {
                    tx = cell.Tx;
                    position = pos;
                    return true;
                }
                pos = seen;
            }
            else if (difference < 0)
            {
                tx = null!;
                position = 0;
                return false;
            }
            else
            {
                pos = Volatile.Read(ref cursor);
            }
        }
    }

    /// <summary>Returns a slot to the producers once its contents were copied out.</summary>
    public void EndRead(long position) => Volatile.Write(ref _cells[position & _mask].Sequence, position + _mask + 1);
}
