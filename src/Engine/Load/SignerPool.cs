using System.Diagnostics;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;
using FastLoad.Engine.Workloads;

namespace FastLoad.Engine.Load;

/// <summary>
/// Signer threads: each owns a disjoint slice of the wallets and their nonces, and fills the ring of
/// each wallet's node with ready-to-send calls. A wallet that needs a resync is skipped (and handed to
/// the resyncer) until its pending nonce is back. Sending never waits for a signature.
/// </summary>
/// <remarks>
/// When the workload takes more than one nonce per tx (<see cref="TxComposer.NoncesPerTx"/>: EIP-7702 with a
/// self-signed authorization), node pools still count one nonce per tx: they park the sender's next tx (nonce + 2) as
/// a nonce gap and never promote it (anvil, hardhat), or refuse a second pending tx of a delegated account (geth). So
/// such a wallet signs its next tx only once the last one is seen in a block, has failed, or was discarded unsent
/// (<see cref="TxComposer.OneTxInPoolPerWallet"/>). Its pool is then empty, so a resync's pending nonce is exact.
/// </remarks>
public sealed class SignerPool : ITxSource
{
    private readonly WalletSet _wallets;
    private readonly PresignedRing[] _rings;
    private readonly TxComposer _composer;
    private readonly int _noncesPerTx;
    private readonly bool _awaitInclusion;
    private readonly Action<Wallet> _requestFetch;
    private readonly int _periodicResync;
    private readonly bool _roundRobin;
    private readonly Thread[] _threads;
    private readonly long[] _signed;
    private long _remaining;
    private volatile bool _stop;

    /// <param name="maxTxs">Total txs to sign (re-signs of discarded txs are given back), or -1 for no limit.</param>
    /// <param name="periodicResync">Resync each wallet every K txs (0 = only on errors).</param>
    /// <param name="roundRobin">Send each tx to the next node in turn instead of the wallet's own node.</param>
    /// <param name="awaitInclusion">Hold a wallet until its last tx is included, when the workload needs it (a live run; not presigning).</param>
    public SignerPool(WalletSet wallets, PresignedRing[] ringsByNode, TxComposer composer, long maxTxs, int periodicResync, Action<Wallet> requestFetch, bool roundRobin = false, bool awaitInclusion = true)
    {
        _awaitInclusion = awaitInclusion && composer.OneTxInPoolPerWallet;
        _roundRobin = roundRobin;
        _wallets = wallets;
        _rings = ringsByNode;
        _composer = composer;
        _noncesPerTx = composer.NoncesPerTx;
        _requestFetch = requestFetch;
        _periodicResync = periodicResync;
        _remaining = maxTxs < 0 ? long.MaxValue : maxTxs;
        _threads = new Thread[wallets.BySigner.Length];
        _signed = new long[wallets.BySigner.Length * 8]; // one cache line per thread
    }

    /// <summary>ETH transfers (<see cref="TransferWorkload"/>), signed as that workload's tx type.</summary>
    public SignerPool(WalletSet wallets, PresignedRing[] ringsByNode, TransferWorkload workload, long maxTxs, int periodicResync, Action<Wallet> requestFetch, bool roundRobin = false, bool awaitInclusion = true)
        : this(wallets, ringsByNode, workload.Composer, maxTxs, periodicResync, requestFetch, roundRobin, awaitInclusion)
    {
    }

    public int Threads => _threads.Length;

    public long Produced => Signed;

    public long Signed
    {
        get
        {
            long total = 0;
            for (int t = 0; t < _threads.Length; t++) total += Volatile.Read(ref _signed[t * 8]);
            return total;
        }
    }

    /// <summary>Stopwatch ticks the signer threads waited for ring space (the senders were behind), summed over threads.</summary>
    public long RingFullTicks => SumSlot(1);

    /// <summary>Stopwatch ticks the signer threads had no wallet ready to sign (waiting for resyncs or inclusions, or the count was reached), summed over threads.</summary>
    public long IdleTicks => SumSlot(2);

    private long SumSlot(int slot)
    {
        long total = 0;
        for (int t = 0; t < _threads.Length; t++) total += Volatile.Read(ref _signed[t * 8 + slot]);
        return total;
    }

    /// <summary>A timestamp pair per wait (never per tx): adds the time since <paramref name="since"/> to this thread's counter.</summary>
    private void AddWait(int thread, int slot, long since)
    {
        ref long counter = ref _signed[thread * 8 + slot];
        Volatile.Write(ref counter, counter + (Stopwatch.GetTimestamp() - since));
    }

    /// <summary>
    /// TEST ONLY: extra CPU time burnt (a busy spin) per signed tx, to make a slow signer on purpose (the bottleneck
    /// verdict's tests; hidden CLI option <c>--test-slow-signing-us</c>). Zero in every real run.
    /// </summary>
    public long TestSignDelayTicks { get; init; }

    /// <summary>How long a wallet waits to see its last tx in a block before it gives up on it and resyncs.</summary>
    public TimeSpan InclusionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A discarded presigned tx gives its budget back, so --count still sends exactly N.</summary>
    public void Discarded(Wallet wallet, long txId)
    {
        Interlocked.Increment(ref _remaining);
        wallet.ReleaseInclusionWait(txId);
    }

    public void Start()
    {
        for (int t = 0; t < _threads.Length; t++)
        {
            int index = t;
            _threads[t] = new Thread(() => Run(index)) { IsBackground = true, Name = $"fastload-signer-{t}" };
            _threads[t].Start();
        }
    }

    public void Stop()
    {
        _stop = true;
        foreach (Thread thread in _threads) thread?.Join();
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void SpinFor(long ticks)
    {
        long until = Stopwatch.GetTimestamp() + ticks;
        while (Stopwatch.GetTimestamp() < until) Thread.SpinWait(20);
    }

    private void Run(int thread)
    {
        Wallet[] wallets = _wallets.BySigner[thread];
        byte[] envelope = new byte[4096 + _composer.CalldataCapacity];
        byte[] calldata = new byte[_composer.CalldataCapacity];
        var authorization = new SignedAuthorization[1];
        long sequence = 0;
        long idBase = (long)(thread + 1) << 40;
        int next = 0;
        int idle = 0;
        int nextRing = thread;
        Func<bool> shouldStop = () => _stop;
        long inclusionTimeout = (long)(InclusionTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!_stop)
        {
            Wallet wallet = wallets[next];
            next = next + 1 == wallets.Length ? 0 : next + 1;
            // Before the resync state: a resync must read the node only once the wallet's last tx has left the pool.
            if (_awaitInclusion)
            {
                if (wallet.IsAwaitingInclusion(Stopwatch.GetTimestamp(), inclusionTimeout, out bool timedOut))
                {
                    if (++idle >= wallets.Length) { long slept = Stopwatch.GetTimestamp(); Thread.Sleep(1); AddWait(thread, 2, slept); idle = 0; }
                    continue;
                }
                if (timedOut) wallet.RequestResync(ResyncReason.InclusionTimeout); // never seen in a block: it may have been dropped
            }
            if (!wallet.TryPrepareToSign(out int epoch, out bool mustFetch))
            {
                if (mustFetch) _requestFetch(wallet);
                if (++idle >= wallets.Length) { long slept = Stopwatch.GetTimestamp(); Thread.Sleep(1); AddWait(thread, 2, slept); idle = 0; }
                continue;
            }
            if (_periodicResync > 0 && wallet.SignedSinceSync >= _periodicResync)
            {
                wallet.RequestResync(ResyncReason.Periodic);
                continue;
            }
            idle = 0;
            if (Interlocked.Decrement(ref _remaining) < 0)
            {
                Interlocked.Increment(ref _remaining);
                long slept = Stopwatch.GetTimestamp();
                Thread.Sleep(1);
                AddWait(thread, 2, slept);
                continue;
            }
            PresignedRing ring = _roundRobin ? _rings[nextRing++ % _rings.Length] : _rings[wallet.Node];
            if (!ring.TryBeginWrite(out PresignedTx slot, out long position))
            {
                long full = Stopwatch.GetTimestamp(); // the senders are behind: wait for space
                if (!ring.BeginWrite(out slot, out position, shouldStop)) return;
                AddWait(thread, 1, full);
            }
            // `epoch` was read together with the resync state: an invalidation from now on makes this tx stale.
            ulong nonce = wallet.TakeNonces(_noncesPerTx);
            wallet.SignedSinceSync++;
            int length = _composer.Sign(wallet, nonce, envelope, slot.TxHash, authorization, calldata, out WorkloadOp op);
            if (TestSignDelayTicks > 0) SpinFor(TestSignDelayTicks);
            slot.Op = op;
            slot.EnsureCapacity(CallWriter.MaxLength(length));
            slot.Id = idBase | sequence++;
            slot.CallLength = CallWriter.Write(slot.Call, slot.Id, envelope.AsSpan(0, length));
            slot.Wallet = wallet;
            slot.Nonce = nonce;
            slot.Epoch = epoch;
            slot.SignedTicks = Stopwatch.GetTimestamp();
            if (_awaitInclusion) wallet.AwaitInclusion(slot.Id, slot.SignedTicks);
            ring.EndWrite(position);
            Volatile.Write(ref _signed[thread * 8], Volatile.Read(ref _signed[thread * 8]) + 1);
        }
    }
}
