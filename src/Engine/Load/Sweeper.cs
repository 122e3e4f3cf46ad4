using System.Diagnostics;
using System.Numerics;
using System.Text.Json;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;
using Microsoft.Extensions.Logging;

namespace FastLoad.Engine.Load;

/// <summary>
/// Returns what is left in the run's wallets to one address (the funder). Each wallet sends one legacy
/// transfer of balance − 21,000 × gas price at the node's gas price, so it ends at exactly zero.
/// </summary>
public static class Sweeper
{
    public sealed record Result(int Swept, BigInteger Returned);

    /// <param name="funder">Where everything goes back to. For a sharded wallet set, the shard's own funder
    /// (<see cref="ShardFunder"/>, derived from it), which keeps what its set-up and funding did not spend, is emptied
    /// too, through the first node.</param>
    public static async Task<Result> SweepAsync(IReadOnlyList<RpcClient> apis, WalletSet wallets, PrivateKey funder, ILogger log, CancellationToken cancel)
    {
        Address to = funder.Address;
        var gasPrices = new UInt256[apis.Count];
        var chainIds = new ulong[apis.Count];
        for (int i = 0; i < apis.Count; i++)
        {
            gasPrices[i] = await apis[i].GetGasPriceAsync(cancel).ConfigureAwait(false);
            chainIds[i] = await apis[i].GetChainIdAsync(cancel).ConfigureAwait(false);
        }
        int swept = 0;
        BigInteger returned = BigInteger.Zero;
        var pending = new List<(RpcClient Api, Hash256 Hash)>();
        object gate = new();
        await LoadRun.ForEachWalletAsync(wallets.All, w => SweepOneAsync(w.Node, w.Key, w.Address)).ConfigureAwait(false);
        if (wallets.Shard.Count > 1)
        {
            PrivateKey shardFunder = ShardFunder.Derive(funder, wallets.Shard);
            await SweepOneAsync(0, shardFunder, shardFunder.Address).ConfigureAwait(false);
        }

        var waited = Stopwatch.StartNew();
        foreach ((RpcClient api, Hash256 hash) in pending)
        {
            if (await api.WaitForReceiptAsync(hash, waited, TimeSpan.FromSeconds(120), cancel).ConfigureAwait(false) is null)
                throw new RunSetupException($"sweep txs were not included within 120 s on {api.Endpoint.Url}: is the node producing blocks?");
        }
        log.Swept(swept, LoadRun.FormatEth(returned), to.ToString());
        return new Result(swept, returned);

        async Task SweepOneAsync(int node, PrivateKey key, Address address)
        {
            RpcClient api = apis[node];
            UInt256 gasPrice = gasPrices[node];
            // The run's last txs must be mined first: the balance must not still have them to pay for.
            ulong nonce = await api.GetTransactionCountAsync(address, ct: cancel).ConfigureAwait(false);
            var settling = Stopwatch.StartNew();
            while (await api.GetTransactionCountAsync(address, "latest", cancel).ConfigureAwait(false) < nonce)
            {
                if (settling.Elapsed > TimeSpan.FromSeconds(120))
                    throw new RunSetupException($"{address} still has txs pending on {api.Endpoint.Url} after 120 s: is the node producing blocks?");
                await Task.Delay(200, cancel).ConfigureAwait(false);
            }
            BigInteger balance = (await api.GetBalanceAsync(address, ct: cancel).ConfigureAwait(false)).ToBigInteger();
            BigInteger fee = gasPrice.ToBigInteger() * 21_000;
            if (balance <= fee || address == to) return;
            var tx = new LegacyTransaction
            {
                ChainId = chainIds[node], Nonce = nonce, GasPrice = gasPrice, GasLimit = 21_000, To = to,
                Value = UInt256.FromBigInteger(balance - fee),
            };
            byte[] envelope = new byte[TransactionSigner.MaxSignedLength(tx)];
            byte[] hash = new byte[32];
            int length = TransactionSigner.Sign(tx, key, envelope, hash);
            Hash256 sent = await api.SendRawTransactionAsync(envelope.AsMemory(0, length), cancel).ConfigureAwait(false);
            lock (gate)
            {
                pending.Add((api, sent));
                swept++;
                returned += balance - fee;
            }
        }
    }
}
