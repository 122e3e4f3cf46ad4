using FastLoad.Engine.Primitives;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;

namespace FastLoad.Engine.Workloads.Contracts;

/// <summary>The post-run checks' sample: included (wallet, nonce) pairs drawn at random, and their txs' hashes.</summary>
internal static class IncludedSample
{
    /// <summary>Up to <c>--ledger-sample</c> (or <paramref name="defaultSize"/>) of the <paramref name="included"/> txs, in random order.</summary>
    public static (Wallet Wallet, ulong Nonce)[] Draw(WorkloadCheckContext context, int defaultSize, out int included)
    {
        var all = new List<(Wallet Wallet, ulong Nonce)>();
        foreach (Wallet w in context.Wallets.All)
            foreach (ulong nonce in context.Included!.Of(w)) all.Add((w, nonce));
        included = all.Count;
        (Wallet Wallet, ulong Nonce)[] sample = all.ToArray();
        Random.Shared.Shuffle(sample);
        return sample[..Math.Min(sample.Length, context.Sample ?? defaultSize)];
    }

    /// <summary>
    /// An <c>eth_getTransactionReceipt</c> call for each sampled tx: the same nonce gives the same tx, so it is signed
    /// again for its hash.
    /// </summary>
    public static List<(string Method, object?[] Params)> ReceiptCalls(WorkloadCheckContext context, (Wallet Wallet, ulong Nonce)[] sample, int calldataCapacity)
    {
        byte[] envelope = new byte[4096 + calldataCapacity], hash = new byte[32], calldata = new byte[calldataCapacity];
        var authorization = new SignedAuthorization[1];
        var calls = new List<(string Method, object?[] Params)>(sample.Length);
        foreach ((Wallet w, ulong nonce) in sample)
        {
            context.Composer!.Sign(w, nonce, envelope, hash, authorization, calldata, out _);
            calls.Add(("eth_getTransactionReceipt", [new Hash256(hash)]));
        }
        return calls;
    }
}
