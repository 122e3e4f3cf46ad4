namespace FastLoad.Engine.Load;

/// <summary>
/// The ring of presigned transactions between signers and senders: a <see cref="BoundedRing{T}"/> of preallocated
/// <see cref="PresignedTx"/> slots. Producers (signer threads) sign straight into a slot between
/// <see cref="TryBeginWrite"/> and <see cref="EndWrite"/>; consumers (senders) copy a slot out between
/// <see cref="TryBeginRead"/> and <see cref="EndRead"/>. Nothing is allocated while running.
/// </summary>
public sealed class PresignedRing
{
    private readonly BoundedRing<PresignedTx> _ring;

    /// <param name="capacity">Slots, rounded up to a power of two.</param>
    /// <param name="callCapacity">Bytes of call each slot holds without a buffer of its own; all slots share one slab of them.</param>
    public PresignedRing(int capacity, int callCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(callCapacity, 1);
        long slots = System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(capacity, 2));
        if (slots * callCapacity > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(capacity), $"a ring of {slots:N0} slots of {callCapacity:N0} bytes does not fit one array");
        byte[] slab = GC.AllocateUninitializedArray<byte>((int)(slots * callCapacity));
        int next = 0;
        _ring = new BoundedRing<PresignedTx>(capacity, () =>
        {
            var slot = new PresignedTx(slab, next, callCapacity);
            next += callCapacity;
            return slot;
        });
    }

    public int Capacity => _ring.Capacity;

    /// <summary>Approximate number of ready slots (for the ring-fill gauge).</summary>
    public int Count => _ring.Count;

    /// <summary>Claims a free slot to fill; false when the ring is full.</summary>
    public bool TryBeginWrite(out PresignedTx tx, out long position)
    {
        bool claimed = _ring.TryBeginWrite(out position);
        tx = claimed ? _ring[position] : null!;
        return claimed;
    }

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
    public void EndWrite(long position) => _ring.EndWrite(position);

    /// <summary>Claims the oldest ready slot; false when the ring is empty.</summary>
    public bool TryBeginRead(out PresignedTx tx, out long position)
    {
        bool claimed = _ring.TryBeginRead(out position);
        tx = claimed ? _ring[position] : null!;
        return claimed;
    }

    /// <summary>Returns a slot to the producers once its contents were copied out.</summary>
    public void EndRead(long position) => _ring.EndRead(position);
}
