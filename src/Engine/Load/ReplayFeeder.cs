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
    private readonly Dictionary<int, Wallet> _wallets;
    private readonly PresignedRing[] _rings;
    private readonly long _limit;
    private Thread? _thread;
    private volatile bool _stop;
    private long _produced;
    private long _skipped;

    public ReplayFeeder(string path, WalletSet wallets, PresignedRing[] rings, long limit)
    {
        _path = path;
        _wallets = wallets.All.ToDictionary(w => w.Index);
        _rings = rings;
        _limit = limit < 0 ? long.MaxValue : limit;
    }

    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>How long the feeder waits for a wallet's last tx to be included before it feeds the next one anyway.</summary>
    public TimeSpan InclusionTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Records skipped because their wallet was invalidated or is not this shard's.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

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

    private void Run()
    {
        try
        {
            using PresignedFileReader reader = PresignedFileReader.Open(_path);
            bool awaitInclusion = TransferWorkload.NoncesPerTxOf(reader.Header.ParsedTxType) > 1;
            long inclusionTimeout = (long)(InclusionTimeout.TotalSeconds * Stopwatch.Frequency);
            var scratch = new PresignedTx(512);
            var startEpochs = _wallets.ToDictionary(p => p.Key, p => p.Value.Epoch);
            Func<bool> shouldStop = () => _stop;
            while (!_stop && Produced < _limit && reader.TryRead(scratch, out int walletIndex))
            {
                if (!_wallets.TryGetValue(walletIndex, out Wallet? wallet) || wallet.Epoch != startEpochs[walletIndex])
                {
                    Interlocked.Increment(ref _skipped);
                    continue;
                }
                while (awaitInclusion && wallet.IsAwaitingInclusion(Stopwatch.GetTimestamp(), inclusionTimeout, out _))
                {
                    if (_stop) return;
                    Thread.Sleep(1);
                }
                if (!_rings[wallet.Node].BeginWrite(out PresignedTx slot, out long position, shouldStop)) return;
                PresignedRing ring = _rings[wallet.Node];
                slot.EnsureCapacity(scratch.CallLength);
                scratch.CallBytes.CopyTo(slot.Call);
                slot.CallLength = scratch.CallLength;
                scratch.TxHash.CopyTo(slot.TxHash, 0);
                slot.Id = scratch.Id;
                slot.Nonce = scratch.Nonce;
                slot.Wallet = wallet;
                slot.Epoch = wallet.Epoch;
                slot.Op = Workloads.WorkloadOp.Transfer; // presigned files hold ETH transfers only
                slot.SignedTicks = Stopwatch.GetTimestamp();
                if (awaitInclusion) wallet.AwaitInclusion(slot.Id, slot.SignedTicks);
                ring.EndWrite(position);
                Interlocked.Increment(ref _produced);
            }
            Finished = true;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Error = e;
        }
    }
}
