using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Wallets;

namespace FastLoad.Engine.Workloads;

/// <summary>
/// Several workloads in one run, mixed by weight (<c>--workload transfer@70+erc20@20+gas:100000@10</c>). Each part gets
/// its own share of the wallets, in proportion to its weight, and sets up, signs and checks only those: a wallet's
/// nonces then run through one workload, so every part's rules hold unchanged (a token part's "never burn more than
/// the wallet holds" is planned over the wallet's consecutive txs, its ledger recomputed from them). Every wallet is
/// sent from at the same pace, so each part's share of the txs is its share of the wallets: with W wallets the shares
/// are the weights rounded to whole wallets (<see cref="Shares"/> says what they came to).
/// </summary>
public sealed class CompositeWorkload : IWorkload
{
    private readonly IWorkload[] _parts;
    private readonly int[] _weights;
    private WalletSet[] _walletsOf = [];
    private byte[] _partByWallet = [];

    public CompositeWorkload(IReadOnlyList<(IWorkload Workload, int Weight)> parts)
    {
        if (parts.Count < 2) throw new ArgumentException("a weighted workload needs at least two parts");
        if (parts.Count > 255) throw new ArgumentException("a weighted workload takes at most 255 parts");
        _parts = new IWorkload[parts.Count];
        _weights = new int[parts.Count];
        for (int i = 0; i < parts.Count; i++)
        {
            if (parts[i].Weight < 1) throw new ArgumentException($"the weight of {parts[i].Workload.Spec} must be at least 1");
            _parts[i] = parts[i].Workload;
            _weights[i] = parts[i].Weight;
        }
        Spec = string.Join('+', Enumerable.Range(0, _parts.Length).Select(i => $"{_parts[i].Spec}@{_weights[i]}"));
    }

    public string Spec { get; }

    public IReadOnlyList<IWorkload> Parts => _parts;

    /// <summary>Each part's wallets (after <see cref="SetupAsync"/> or <see cref="BindWallets"/>).</summary>
    public IReadOnlyList<WalletSet> PartWallets => _walletsOf;

    /// <summary>Each part's wallets and weight (after <see cref="SetupAsync"/> or <see cref="BindWallets"/>).</summary>
    public IReadOnlyList<(string Spec, int Weight, int Wallets)> Shares =>
        Enumerable.Range(0, _parts.Length).Select(i => (_parts[i].Spec, _weights[i], _walletsOf.Length > i ? _walletsOf[i].All.Length : 0)).ToArray();

    public int MaxCalldataLength => Max(p => p.MaxCalldataLength);

    public ulong MaxGasLimit
    {
        get
        {
            ulong max = 0;
            foreach (IWorkload p in _parts) max = Math.Max(max, p.MaxGasLimit);
            return max;
        }
    }

    public UInt256 MaxValue
    {
        get
        {
            UInt256 max = UInt256.Zero;
            foreach (IWorkload p in _parts)
                if (p.MaxValue > max) max = p.MaxValue;
            return max;
        }
    }

    public IReadOnlyList<DeployedContract> Contracts => _parts.SelectMany(p => p.Contracts).ToArray();

    public bool NeedsInclusions => _parts.Any(p => p.NeedsInclusions);

    /// <summary>
    /// Splits the wallets between the parts by weight (largest remainder, at least one wallet each, so the wallets must
    /// be at least the parts), interleaved over the run's wallet order so every signer thread and node gets some of each.
    /// </summary>
    public void BindWallets(WalletSet wallets)
    {
        Wallet[] all = wallets.All;
        if (all.Length < _parts.Length)
            throw new RunSetupException($"--workload {Spec}: {_parts.Length} parts need at least {_parts.Length} wallets (this process has {all.Length}): raise --wallets");
        int[] counts = Apportion(_weights, all.Length);
        // Smooth weighted round robin over the wallets: each wallet goes to the part furthest behind its share.
        var lists = new List<Wallet>[_parts.Length];
        for (int i = 0; i < lists.Length; i++) lists[i] = new List<Wallet>(counts[i]);
        int maxIndex = 0;
        foreach (Wallet w in all) maxIndex = Math.Max(maxIndex, w.Index);
        _partByWallet = new byte[maxIndex + 1];
        var credit = new long[_parts.Length];
        foreach (Wallet w in all)
        {
            int best = -1;
            for (int i = 0; i < _parts.Length; i++)
            {
                if (lists[i].Count == counts[i]) continue;
                credit[i] += counts[i];
                if (best < 0 || credit[i] > credit[best]) best = i;
            }
            credit[best] -= all.Length;
            lists[best].Add(w);
            _partByWallet[w.Index] = (byte)best;
        }
        _walletsOf = Array.ConvertAll(lists, l => wallets.Subset(l.ToArray()));
    }

    /// <summary>Whole wallets per weight: proportional, at least 1 each, largest remainders first.</summary>
    public static int[] Apportion(int[] weights, int wallets)
    {
        int n = weights.Length;
        var counts = new int[n];
        long total = 0;
        foreach (int w in weights) total += w;
        int left = wallets - n; // one each first
        var remainders = new (double Remainder, int Part)[n];
        int given = 0;
        for (int i = 0; i < n; i++)
        {
            double exact = (double)left * weights[i] / total;
            counts[i] = 1 + (int)Math.Floor(exact);
            given += counts[i];
            remainders[i] = (exact - Math.Floor(exact), i);
        }
        Array.Sort(remainders, (a, b) => b.Remainder != a.Remainder ? b.Remainder.CompareTo(a.Remainder) : a.Part.CompareTo(b.Part));
        for (int k = 0; given < wallets; k++, given++) counts[remainders[k % n].Part]++;
        return counts;
    }

    public async Task SetupAsync(WorkloadSetup setup, CancellationToken cancel)
    {
        if (setup.Reuse.Count > 0)
            throw new RunSetupException($"--reuse-setup is not supported with a weighted workload ({Spec}): run each part's set-up fresh");
        BindWallets(setup.Wallets);
        // One after another: each part's set-up txs come from the funder, whose nonce each reads afresh.
        for (int i = 0; i < _parts.Length; i++)
            await _parts[i].SetupAsync(setup with { Wallets = _walletsOf[i] }, cancel).ConfigureAwait(false);
    }

    // ---- the hot path: one table lookup, then the wallet's own part --------------------------------------------

    public TxPlan NextTx(Wallet wallet, ulong nonce, Span<byte> calldata) => _parts[_partByWallet[wallet.Index]].NextTx(wallet, nonce, calldata);

    // ---- the check (cold): each part's over its own wallets ----------------------------------------------------

    public async Task<WorkloadCheck?> CheckAsync(WorkloadCheckContext context, CancellationToken cancel)
    {
        var checks = new List<(string Spec, WorkloadCheck Check)>();
        for (int i = 0; i < _parts.Length; i++)
        {
            WorkloadCheck? check;
            try
            {
                check = await _parts[i].CheckAsync(context with { Wallets = _walletsOf[i] }, cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Rpc.RpcException or Rpc.RpcTransportException or RunSetupException or OperationCanceledException or IOException)
            {
                check = new WorkloadCheck { Name = "ledger", Checked = 0, Wallets = _walletsOf[i].All.Length, Error = e.Message };
            }
            if (check is not null) checks.Add((_parts[i].Spec, check));
        }
        if (checks.Count == 0) return null;
        var mismatches = new List<LedgerMismatch>();
        int checkedCount = 0, wallets = 0;
        long included = 0;
        string? error = null;
        foreach ((string spec, WorkloadCheck c) in checks)
        {
            mismatches.AddRange(c.Mismatches);
            checkedCount += c.Checked;
            wallets += c.Wallets;
            included += c.IncludedTxs;
            if (c.Error is not null) error ??= $"{spec}: {c.Error}";
        }
        return new WorkloadCheck
        {
            Name = "checks",
            Checked = checkedCount,
            Wallets = wallets,
            IncludedTxs = included,
            Mismatches = mismatches,
            Error = error,
            Parts = checks,
        };
    }

    private int Max(Func<IWorkload, int> of)
    {
        int max = 0;
        foreach (IWorkload p in _parts) max = Math.Max(max, of(p));
        return max;
    }
}
