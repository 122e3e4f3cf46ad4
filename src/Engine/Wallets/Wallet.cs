using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Wallets;

/// <summary>
/// One sending account and its local nonce book. Exactly one signer thread owns a wallet: only it
/// reserves nonces (<see cref="NextNonce"/>). Response handlers, on any thread, record outcomes and
/// may invalidate the wallet; the owner then waits for a resync before signing again.
/// </summary>
public sealed class Wallet
{
    private const int InSync = 0, ResyncRequested = 1, ResyncFetching = 2, ResyncReady = 3;

    private int _epoch;
    private int _resync;
    private ulong _resyncNonce;
    private long _accepted;
    private long _rejected;

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

    /// <summary>Bumped whenever the wallet's sequence is in doubt; presigned txs of older epochs are discarded.</summary>
    public int Epoch => Volatile.Read(ref _epoch);

    /// <summary>True while the wallet waits for a resync: its owner must not sign for it.</summary>
    public bool NeedsResync => Volatile.Read(ref _resync) != InSync;

    public long Accepted => Interlocked.Read(ref _accepted);

    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Txs signed since the last (re)sync; used for the optional periodic resync.</summary>
    public int SignedSinceSync { get; set; }

    public void RecordAccepted() => Interlocked.Increment(ref _accepted);

    /// <summary>
    /// Puts the wallet's sequence in doubt: bumps the epoch (so its presigned txs are discarded)
    /// and asks for a resync. Returns false if the failed tx belongs to an older epoch (already handled).
    /// </summary>
    public bool Invalidate(int epochOfFailedTx)
    {
        Interlocked.Increment(ref _rejected);
        if (Interlocked.CompareExchange(ref _epoch, epochOfFailedTx + 1, epochOfFailedTx) != epochOfFailedTx) return false;
        Volatile.Write(ref _resync, ResyncRequested);
        return true;
    }

    /// <summary>Requests a resync without an error (periodic resync, circuit breaker); also discards presigned txs.</summary>
    public void RequestResync()
    {
        Interlocked.Increment(ref _epoch);
        Volatile.Write(ref _resync, ResyncRequested);
    }

    /// <summary>
    /// Called by the owner before signing. Returns true when the wallet may sign now. When a resync
    /// was requested it returns false once with <paramref name="mustFetch"/> set: the caller hands
    /// the wallet to the resyncer, which calls <see cref="SetFetchedNonce"/>.
    /// </summary>
    public bool TryPrepareToSign(out bool mustFetch)
    {
        mustFetch = false;
        switch (Volatile.Read(ref _resync))
        {
            case InSync:
                return true;
            case ResyncRequested:
                mustFetch = Interlocked.CompareExchange(ref _resync, ResyncFetching, ResyncRequested) == ResyncRequested;
                return false;
            case ResyncReady:
                ulong nonce = Volatile.Read(ref _resyncNonce);
                if (Interlocked.CompareExchange(ref _resync, InSync, ResyncReady) != ResyncReady) return false;
                NextNonce = nonce;
                SignedSinceSync = 0;
                Interlocked.Increment(ref _resyncs);
                return true;
            default:
                return false;
        }
    }

    private long _resyncs;

    /// <summary>Resyncs completed.</summary>
    public long Resyncs => Interlocked.Read(ref _resyncs);

    /// <summary>The resyncer's answer: the node's pending nonce. Ignored if another error asked for a newer fetch meanwhile.</summary>
    public void SetFetchedNonce(ulong pendingNonce)
    {
        Volatile.Write(ref _resyncNonce, pendingNonce);
        Interlocked.CompareExchange(ref _resync, ResyncReady, ResyncFetching);
    }

    /// <summary>The fetch failed (node unreachable): ask again later.</summary>
    public void FetchFailed() => Interlocked.CompareExchange(ref _resync, ResyncRequested, ResyncFetching);

    public override string ToString() => $"wallet {Index} {Address}";
}
