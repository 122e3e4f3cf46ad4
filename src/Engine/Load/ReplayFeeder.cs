using System.Diagnostics;
using FastLoad.Engine.Wallets;
using FastLoad.Engine.Workloads;

namespace FastLoad.Engine.Load;

/// <summary>
/// Replays a presigned file into the rings: no signing at all, just copying ready calls. A wallet that is
/// invalidated during the replay cannot be re-signed, so the rest of its txs are skipped (counted as revoked).
/// </summary>
/// <remarks>
/// In a file of txs that take two nonces each (EIP-7702 with a self-signed authorization), a wallet's next tx is fed
/// only once its previous one is seen in a block, as the signer pool does (see <see cref="SignerPool"/>): the feeder
/// waits for that wallet, so the file order sets the pace (one tx per wallet per block).
/// </remarks>
public sealed class ReplayFeeder : ITxSource
{
    private readonly string _path;
    private readonly Wallet[] _wallets;
    private readonly PresignedRing[] _rings;
    private readonly long _limit;
    private Thread? _thread;
    private volatile bool _stop;
    private long _produced;
    private long _skipped;

    public ReplayFeeder(string path, WalletSet wallets, PresignedRing[] rings, long limit)
    {
        _path = path;
        _wallets = wallets.All;
        _rings = rings;
        _limit = limit < 0 ? long.MaxValue : limit;
    }

    public long Produced => Volatile.Read(ref _produced);

    /// <summary>How long the feeder waits for a wallet's last tx to be included before it feeds the next one anyway.</summary>
    public TimeSpan InclusionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Records skipped because their wallet was invalidated or is not this shard's.</summary>
    public long Skipped => Volatile.Read(ref _skipped);

    /// <summary>Set when the whole file has been fed.</summary>
    public bool Finished { get; private set; }

    public Exception? Error { get; private set; }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "fastload-replay" };
        _thread.Start();
    }

    public void Stop()
    {
        _stop = true;
        _thread?.Join();
    }

    public void Discarded(Wallet wallet, long txId)
    {
        // Nothing to make up for: a presigned tx can't be re-signed during a replay.
        wallet.ReleaseInclusionWait(txId);
    }

    /// <summary>How many txs share one clock reading when no tx waits for inclusion (see <see cref="PresignedTx.SignedTicks"/>).</summary>
    internal const int TicksEvery = 64;

    private void Run()
    {
        try
        {
            using PresignedFileReader reader = PresignedFileReader.Open(_path);
            bool awaitInclusion = TransferWorkload.NoncesPerTxOf(reader.Header.ParsedTxType) > 1;
            long inclusionTimeout = (long)(InclusionTimeout.TotalSeconds * Stopwatch.Frequency);
            // The file's wallet index → this process's wallet and its epoch at the start, in arrays (no hashing per tx).
            // A wallet of another shard, or an index beyond them, has no entry: its records are skipped.
            int indexes = 0;
            foreach (Wallet w in _wallets) indexes = Math.Max(indexes, w.Index + 1);
            var byIndex = new Wallet?[indexes];
            var startEpochs = new int[indexes];
            foreach (Wallet w in _wallets)
            {
                byIndex[w.Index] = w;
                startEpochs[w.Index] = w.Epoch;
            }
            Func<bool> shouldStop = () => _stop;
            long produced = 0, skipped = 0;
            long ticks = 0;
            while (!_stop && produced < _limit && reader.TryNext(out int walletIndex))
            {
                Wallet? wallet = (uint)walletIndex < (uint)byIndex.Length ? byIndex[walletIndex] : null;
                if (wallet is null || wallet.Epoch != startEpochs[walletIndex])
                {
                    Volatile.Write(ref _skipped, ++skipped);
                    continue;
                }
                while (awaitInclusion && wallet.IsAwaitingInclusion(Stopwatch.GetTimestamp(), inclusionTimeout, out _))
                {
                    if (_stop) return;
                    Thread.Sleep(1);
                }
                PresignedRing ring = _rings[wallet.Node];
                if (!ring.BeginWrite(out PresignedTx slot, out long position, shouldStop)) return;
                reader.CopyTo(slot); // straight from the checked block into the slot
                slot.Wallet = wallet;
                slot.Epoch = wallet.Epoch;
                slot.Op = Workloads.WorkloadOp.Transfer; // presigned files hold ETH transfers only
                // Nothing reads a replayed tx's SignedTicks but the inclusion wait, which takes a clock reading per tx;
                // otherwise one reading serves a group of TicksEvery txs (no latency is measured from it).
                if (awaitInclusion || produced % TicksEvery == 0) ticks = Stopwatch.GetTimestamp();
                slot.SignedTicks = ticks;
                if (awaitInclusion) wallet.AwaitInclusion(slot.Id, slot.SignedTicks);
                ring.EndWrite(position);
                Volatile.Write(ref _produced, ++produced); // this thread alone writes it
            }
            Finished = true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Error = e;
        }
    }
}
