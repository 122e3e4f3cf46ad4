using System.Globalization;
using FastLoad.Engine.Signing;

namespace FastLoad.Engine.Wallets;

/// <summary>Which slice of the wallets this process owns in a sharded run: shard <see cref="Index"/> of <see cref="Count"/>.</summary>
public readonly record struct Shard(int Index, int Count)
{
    public static readonly Shard Single = new(0, 1);

    /// <summary>Parses "i/N" (0-based i).</summary>
    public static Shard Parse(string text)
    {
        string[] parts = text.Split('/');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count)
            && count >= 1 && index < count)
            return new Shard(index, count);
        throw new ArgumentException($"--shard '{text}' is not i/N with 0 <= i < N (e.g. 0/4 for the first of four processes)");
    }

    public bool Owns(int walletIndex) => walletIndex % Count == Index;

    /// <summary>Throws a one-line <see cref="ArgumentException"/> when this shard owns none of <paramref name="totalWallets"/>.</summary>
    public void EnsureOwnsWallets(int totalWallets)
    {
        if (Index >= totalWallets)
            throw new ArgumentException($"--shard {this} owns no wallet of --wallets {totalWallets} (wallet i belongs to shard i mod {Count}): use at least {Count} wallets");
    }

    public override string ToString() => $"{Index}/{Count}";
}

/// <summary>
/// The wallets of a run, derived from the funder key and a seed (<see cref="WalletKeys"/>) so runs are reproducible
/// and shards agree, while the seed alone gives nobody the keys.
/// Wallet i belongs to shard i mod N; within a process, wallet j of the shard belongs to signer
/// thread j mod threads — so no wallet is ever used by two threads or two processes.
/// </summary>
public sealed class WalletSet
{
    private WalletSet(Wallet[] wallets, Wallet[][] bySigner, Shard shard)
    {
        All = wallets;
        BySigner = bySigner;
        Shard = shard;
    }

    /// <summary>This process's wallets.</summary>
    public Wallet[] All { get; }

    /// <summary>The wallets of each signer thread; disjoint.</summary>
    public Wallet[][] BySigner { get; }

    public Shard Shard { get; }

    /// <summary>Some of these wallets as a set of their own (a weighted workload's part); each keeps its node, and its signer thread in <see cref="All"/>'s order.</summary>
    public WalletSet Subset(Wallet[] wallets) => new(wallets, [wallets], Shard);

    /// <param name="funder">The funder key the wallet keys derive from (with the seed).</param>
    /// <param name="totalWallets">Wallets across all shards.</param>
    public static WalletSet Derive(in PrivateKey funder, string seed, int totalWallets, Shard shard, int signerThreads, int nodeCount)
    {
        if (totalWallets < 1) throw new ArgumentException("--wallets must be at least 1");
        if (signerThreads < 1) throw new ArgumentException("--signers must be at least 1");
        shard.EnsureOwnsWallets(totalWallets);
        var mine = new List<Wallet>();
        for (int i = shard.Index; i < totalWallets; i += shard.Count)
            mine.Add(new Wallet(i, WalletKeys.Derive(funder, seed, (ulong)i)));
        int threads = Math.Min(signerThreads, mine.Count);
        var bySigner = new List<Wallet>[threads];
        for (int t = 0; t < threads; t++) bySigner[t] = [];
        for (int j = 0; j < mine.Count; j++)
        {
            mine[j].Node = j % Math.Max(1, nodeCount);
            bySigner[j % threads].Add(mine[j]);
        }
        return new WalletSet(mine.ToArray(), Array.ConvertAll(bySigner, l => l.ToArray()), shard);
    }
}
