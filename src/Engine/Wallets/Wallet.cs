using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Wallets;

/// <summary>Why a wallet was last asked to resync its nonce from the node (for the run's log).</summary>
public enum ResyncReason
{
    /// <summary>One of its txs failed or its answer was lost.</summary>
    Error,

    /// <summary><c>--periodic-resync</c>: every K txs.</summary>
    Periodic,

    /// <summary>The circuit breaker opened and resynced every wallet.</summary>
    Breaker,

    /// <summary>Its last tx was never seen in a block (EIP-7702 runs wait for each).</summary>
    InclusionTimeout,
}

/// <summary>
/// One sending account and its local nonce book. Exactly one signer thread owns a wallet: only it
/// reserves nonces (<see cref="NextNonce"/>). Response handlers, on any thread, record outcomes and
/// may invalidate the wallet; the owner then waits for a resync before signing again.
/// </summary>
/// <remarks>
/// The epoch and the resync state live in one 64-bit word changed only by compare-and-swap, so the
/// signer always sees a consistent pair: it can never pair a new epoch with a stale nonce.
/// </remarks>
public sealed class Wallet
{
    private const long InSync = 0, ResyncRequested = 1, ResyncFetching = 2, ResyncReady = 3, StateMask = 3;

    private long _state; // (epoch << 2) | resync state
    private ulong _resyncNonce;
    private long _accepted;
    private long _rejected;
    private long _resyncs;
    private long _inFlight;
    private long _maxAccepted = -1;
    private long _awaitedTx;      // id of the tx this wallet waits to see in a block before it signs again; 0 = none
    private long _awaitedSince;   // Stopwatch ticks when that wait began
    private int _resyncReason;    // ResyncReason of the last request

    public Wallet(int index, PrivateKey key)
    {
        Index = index;
        Key = key;
        Address = key.Address;
    }

    /// <summary>Global index in the seed's derivation order (same in every shard).</summary>
    public int Index { get; }

    public PrivateKey Key { get; }

    public Address Address { get; }

    /// <summary>Node this wallet's txs go to (wallet-to-node affinity).</summary>
    public int Node { get; set; }

    /// <summary>Next nonce to sign; owned by the signer thread.</summary>
    public ulong NextNonce { get; set; }

    /// <summary>
    /// Reserves the nonces of the next tx: returns <see cref="NextNonce"/> and moves it on by
    /// <paramref name="count"/> (2 for an EIP-7702 tx with a self-signed authorization). Owner thread only.
    /// </summary>
    public ulong TakeNonces(int count)
    {
        ulong nonce = NextNonce;
        NextNonce = nonce + (ulong)count;
        return nonce;
    }

    /// <summary>Bumped whenever the wallet's sequence is in doubt; presigned txs of older epochs are discarded.</summary>
    public int Epoch => (int)(Volatile.Read(ref _state) >> 2);

    /// <summary>True while the wallet waits for a resync: its owner must not sign for it.</summary>
    public bool NeedsResync => (Volatile.Read(ref _state) & StateMask) != InSync;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Resyncs completed.</summary>
    public long Resyncs => Interlocked.Read(ref _resyncs);

    /// <summary>Why the last resync was asked for (read by the resyncer, for the log only).</summary>
    public ResyncReason LastResyncReason => (ResyncReason)Volatile.Read(ref _resyncReason);

    /// <summary>Txs sent and not yet answered.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Txs signed since the last (re)sync; used for the optional periodic resync.</summary>
    public int SignedSinceSync { get; set; }

    public void RecordSent() => Interlocked.Increment(ref _inFlight);

    /// <summary>
    /// Owner thread, after signing tx <paramref name="txId"/> of a workload that lets a wallet have one tx in the
    /// node's pool at a time (EIP-7702 with a self-signed authorization): the wallet signs nothing more until that tx
    /// is included (<see cref="OnIncluded"/>), fails (<see cref="Invalidate"/>) or is discarded unsent
    /// (<see cref="ReleaseInclusionWait"/>).
    /// </summary>
    public void AwaitInclusion(long txId, long nowTicks)
    {
        _awaitedSince = nowTicks;
        Volatile.Write(ref _awaitedTx, txId);
    }

    /// <summary>
    /// Owner thread: true while the wallet waits for its last tx to be included. After <paramref name="timeoutTicks"/>
    /// it stops waiting and returns false with <paramref name="timedOut"/> set (the tx may have been dropped: resync).
    /// </summary>
    public bool IsAwaitingInclusion(long nowTicks, long timeoutTicks, out bool timedOut)
    {
        timedOut = false;
        long awaited = Volatile.Read(ref _awaitedTx);
        if (awaited == 0) return false;
        if (nowTicks - _awaitedSince < timeoutTicks) return true;
        timedOut = Interlocked.CompareExchange(ref _awaitedTx, 0, awaited) == awaited;
        return false;
    }

    /// <summary>Tx <paramref name="txId"/> of this wallet was seen in a block (block watcher thread).</summary>
    public void OnIncluded(long txId) => Interlocked.CompareExchange(ref _awaitedTx, 0, txId);

    /// <summary>Tx <paramref name="txId"/> will never reach the node (discarded unsent): if it is the awaited one, stop waiting.</summary>
    public void ReleaseInclusionWait(long txId) => Interlocked.CompareExchange(ref _awaitedTx, 0, txId);

    /// <summary>The highest nonce the node took from this wallet (-1 before the first).</summary>
    public long MaxAcceptedNonce => Interlocked.Read(ref _maxAccepted);

    public void RecordAccepted(ulong nonce)
    {
        Interlocked.Increment(ref _accepted);
        Interlocked.Decrement(ref _inFlight);
        long n = (long)nonce, current;
        while ((current = Volatile.Read(ref _maxAccepted)) < n && Interlocked.CompareExchange(ref _maxAccepted, n, current) != current) { }
    }

    /// <summary>
    /// The tx failed: stops any wait for inclusion, puts the wallet's sequence in doubt — bumps the epoch (its presigned txs are then
    /// discarded) and asks for a resync. Returns false if the failed tx belongs to an older epoch (already handled).
    /// </summary>
    public bool Invalidate(int epochOfFailedTx)
    {
        Interlocked.Increment(ref _rejected);
        Interlocked.Decrement(ref _inFlight);
        Volatile.Write(ref _awaitedTx, 0); // a failed tx is not in the pool: nothing to wait for (the resync reads the node)
        while (true)
        {
            long state = Volatile.Read(ref _state);
            if ((int)(state >> 2) != epochOfFailedTx) return false;
            if (Interlocked.CompareExchange(ref _state, ((state >> 2) + 1) << 2 | ResyncRequested, state) == state)
            {
                Volatile.Write(ref _resyncReason, (int)ResyncReason.Error);
                return true;
            }
        }
    }

    /// <summary>Requests a resync without an error (periodic resync, circuit breaker); also discards presigned txs.</summary>
    public void RequestResync(ResyncReason reason = ResyncReason.Periodic)
    {
        while (true)
        {
            long state = Volatile.Read(ref _state);
            if (Interlocked.CompareExchange(ref _state, ((state >> 2) + 1) << 2 | ResyncRequested, state) == state)
            {
                Volatile.Write(ref _resyncReason, (int)reason);
                return;
            }
        }
    }

    /// <summary>
    /// Called by the owner before signing. Returns true with the epoch to stamp on the tx when the wallet may
    /// sign now. When a resync was requested it returns false once with <paramref name="mustFetch"/> set:
    /// the caller hands the wallet to the resyncer, which calls <see cref="SetFetchedNonce"/>.
    /// </summary>
    public bool TryPrepareToSign(out int epoch, out bool mustFetch)
    {
        mustFetch = false;
        long state = Volatile.Read(ref _state);
        epoch = (int)(state >> 2);
        switch (state & StateMask)
        {
            case InSync:
                return true;
            case ResyncRequested:
                mustFetch = Interlocked.CompareExchange(ref _state, (state & ~StateMask) | ResyncFetching, state) == state;
                return false;
            case ResyncReady:
                ulong nonce = Volatile.Read(ref _resyncNonce);
                if (Interlocked.CompareExchange(ref _state, state & ~StateMask, state) != state) return false;
                NextNonce = nonce;
                SignedSinceSync = 0;
                Interlocked.Increment(ref _resyncs);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Epoch of the fetch under way; pass it back to <see cref="SetFetchedNonce"/>.</summary>
    public int FetchEpoch => Epoch;

    /// <summary>
    /// The resyncer's answer: the node's pending nonce. Ignored if another error asked for a newer fetch
    /// meanwhile (the epoch moved on).
    /// </summary>
    public void SetFetchedNonce(int epoch, ulong pendingNonce)
    {
        Volatile.Write(ref _resyncNonce, pendingNonce);
        long fetching = (long)epoch << 2 | ResyncFetching;
        Interlocked.CompareExchange(ref _state, (long)epoch << 2 | ResyncReady, fetching);
    }

    /// <summary>The fetch failed (node unreachable): ask again later.</summary>
    public void FetchFailed(int epoch) =>
        Interlocked.CompareExchange(ref _state, (long)epoch << 2 | ResyncRequested, (long)epoch << 2 | ResyncFetching);

    public override string ToString() => $"wallet {Index} {Address}";
}
