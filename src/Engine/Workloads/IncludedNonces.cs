using FastLoad.Engine.Wallets;

namespace FastLoad.Engine.Workloads;

/// <summary>
/// The nonces of every tx the run saw in a block, per wallet: filled by the block watchers as txs are included,
/// read by a workload's post-run ledger check. Lists grow by doubling, so adding costs no allocation per tx
/// once they have grown to the run's size.
/// </summary>
public sealed class IncludedNonces
{
    private readonly List<ulong>?[] _byWallet;

    public IncludedNonces(WalletSet wallets)
    {
        int max = 0;
        foreach (Wallet w in wallets.All) max = Math.Max(max, w.Index);
        _byWallet = new List<ulong>?[max + 1];
        foreach (Wallet w in wallets.All) _byWallet[w.Index] = new List<ulong>(64);
    }

    public void Add(Wallet wallet, ulong nonce)
    {
        List<ulong>? list = (uint)wallet.Index < (uint)_byWallet.Length ? _byWallet[wallet.Index] : null;
        if (list is null) return;
        lock (list) list.Add(nonce);
    }

    /// <summary>The wallet's included nonces, sorted, without repeats (cold: after the run).</summary>
    public ulong[] Of(Wallet wallet)
    {
        List<ulong>? list = (uint)wallet.Index < (uint)_byWallet.Length ? _byWallet[wallet.Index] : null;
        if (list is null) return [];
        ulong[] nonces;
        lock (list) nonces = list.ToArray();
        Array.Sort(nonces);
        int unique = 0;
        for (int i = 0; i < nonces.Length; i++)
            if (i == 0 || nonces[i] != nonces[i - 1]) nonces[unique++] = nonces[i];
        return nonces[..unique];
    }
}
