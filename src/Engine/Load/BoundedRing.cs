using System.Runtime.InteropServices;

namespace FastLoad.Engine.Load;

/// <summary>
/// A bounded, lock-free, multi-producer multi-consumer ring (Vyukov's bounded queue: each cell carries a sequence
/// number that says whose turn it is). Items live in the cells and are accessed by reference between a claim
/// (<see cref="TryBeginWrite"/> / <see cref="TryBeginRead"/>) and its release (<see cref="EndWrite"/> /
/// <see cref="EndRead"/>), so neither side copies more than it wants and nothing is allocated while running.
/// </summary>
public sealed class BoundedRing<T>
{
    [StructLayout(LayoutKind.Sequential)]
    private struct Cell
    {
        public long Sequence;
        public T Item;
    }

    private readonly Cell[] _cells;
    private readonly long _mask;
    private RingCursors _cursors;

    /// <param name="capacity">Rounded up to a power of two.</param>
    /// <param name="initial">Fills each cell once (e.g. preallocated slot objects); default leaves them default.</param>
    public BoundedRing(int capacity, Func<T>? initial = null)
    {
        if (capacity < 2) throw new ArgumentOutOfRangeException(nameof(capacity), "ring capacity must be at least 2");
        int size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity);
        _cells = new Cell[size];
        _mask = size - 1;
        for (int i = 0; i < size; i++) _cells[i] = new Cell { Sequence = i, Item = initial is null ? default! : initial() };
    }

    public int Capacity => _cells.Length;

    /// <summary>Approximate number of ready items.</summary>
    public int Count => (int)Math.Clamp(Volatile.Read(ref _cursors.Enqueue) - Volatile.Read(ref _cursors.Dequeue), 0, _cells.Length);

    /// <summary>The item of a claimed position (valid until its End call).</summary>
    public ref T this[long position] => ref _cells[position & _mask].Item;

    /// <summary>Claims a free cell to fill; false when the ring is full.</summary>
    public bool TryBeginWrite(out long position) => TryClaim(ref _cursors.Enqueue, 0, out position);

    /// <summary>Publishes a cell filled after <see cref="TryBeginWrite"/>.</summary>
    public void EndWrite(long position) => Volatile.Write(ref _cells[position & _mask].Sequence, position + 1);

    /// <summary>Claims the oldest ready cell; false when the ring is empty.</summary>
    public bool TryBeginRead(out long position) => TryClaim(ref _cursors.Dequeue, 1, out position);

    /// <summary>
    /// Claims up to <paramref name="max"/> consecutive ready cells with one cursor update (for a consumer that drains
    /// in bulk: several consumers then contend once per batch, not once per item). Read them with
    /// <c>this[first + i]</c> and release each with <see cref="EndRead"/>. False when the ring is empty.
    /// </summary>
    public bool TryBeginReadBatch(int max, out long first, out int count)
    {
        long pos = Volatile.Read(ref _cursors.Dequeue);
        while (true)
        {
            int k = 0;
            while (k < max && Volatile.Read(ref _cells[(pos + k) & _mask].Sequence) == pos + k + 1) k++;
            if (k == 0)
            {
                // Either empty (the cell is not published yet) or another consumer moved the cursor.
                if (Volatile.Read(ref _cells[pos & _mask].Sequence) - (pos + 1) < 0)
                {
                    first = 0;
                    count = 0;
                    return false;
                }
                pos = Volatile.Read(ref _cursors.Dequeue);
                continue;
            }
            long seen = Interlocked.CompareExchange(ref _cursors.Dequeue, pos + k, pos);
            if (seen == pos)
            {
                first = pos;
                count = k;
                return true;
            }
            pos = seen;
        }
    }

    /// <summary>Returns a cell to the producers once its contents were used.</summary>
    public void EndRead(long position) => Volatile.Write(ref _cells[position & _mask].Sequence, position + _mask + 1);

    /// <summary>Copies an item in; false (nothing written) when the ring is full.</summary>
    public bool TryWrite(in T item)
    {
        if (!TryBeginWrite(out long position)) return false;
        this[position] = item;
        EndWrite(position);
        return true;
    }

    /// <summary>Copies the oldest item out; false when the ring is empty.</summary>
    public bool TryRead(out T item)
    {
        if (!TryBeginRead(out long position))
        {
            item = default!;
            return false;
        }
        item = this[position];
        EndRead(position);
        return true;
    }

    /// <summary>
    /// The one step of Vyukov's queue both sides share: a cell is the cursor's when its sequence equals
    /// cursor + <paramref name="offset"/> (0 for a writer: free; 1 for a reader: published); behind it means
    /// full (writer) or empty (reader); ahead means another thread moved the cursor, so reload it.
    /// </summary>
    private bool TryClaim(ref long cursor, long offset, out long position)
    {
        long pos = Volatile.Read(ref cursor);
        while (true)
        {
            long difference = Volatile.Read(ref _cells[pos & _mask].Sequence) - (pos + offset);
            if (difference == 0)
            {
                long seen = Interlocked.CompareExchange(ref cursor, pos + 1, pos);
                if (seen == pos)
                {
                    position = pos;
                    return true;
                }
                pos = seen;
            }
            else if (difference < 0)
            {
                position = 0;
                return false;
            }
            else
            {
                pos = Volatile.Read(ref cursor);
            }
        }
    }
}

/// <summary>A ring's two cursors, on separate cache lines (outside the generic type: explicit layout can't be generic).</summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct RingCursors
{
    [FieldOffset(64)] public long Enqueue;
    [FieldOffset(128)] public long Dequeue;
}
