namespace FastLoad.Engine.Load;

/// <summary>
/// The ring of presigned transactions between signers and senders: a <see cref="BoundedRing{T}"/> of preallocated
/// <see cref="PresignedTx"/> slots. Producers (signer threads) sign straight into a slot between
/// <see cref="TryBeginWrite"/> and <see cref="EndWrite"/>; consumers (senders) copy a slot out between
/// <see cref="TryBeginRead"/> and <see cref="EndRead"/>. Nothing is allocated while running.
/// </summary>
public sealed class PresignedRing(int capacity, int callCapacity)
{
    private readonly BoundedRing<PresignedTx> _ring = new(capacity, () => new PresignedTx(callCapacity));

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
