using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using Microsoft.Extensions.Logging;

namespace FastLoad.Engine.Wallets;

/// <summary>
/// Funding in a sharded run. Every shard funds its own wallets, in batches of hundreds of txs in nonce order; if all
/// shards did that from the one funder key at once, they would take the same funder nonces (on one node: refusals;
/// across nodes that have not yet seen each other's txs: two txs per nonce, one of which silently never lands). So
/// each shard funds its wallets from a funder of its own, derived from the funder key and the shard:
/// <code>
/// key(i, N) = the first valid k_a, a = 0, 1, ..., k_a = HMAC-SHA256(key = funder private key,
///             msg = "fastload/shard-funder/v1" ‖ i as uint32 big-endian ‖ N as uint32 big-endian ‖ a as 1 byte)
/// </code>
/// and only that shard ever sends from it. The one tx per shard per node that tops the shard funder up comes from the
/// funder key, and that one tx is raced safely (<see cref="TopUpAsync"/>): sent at the funder's pending nonce, sent
/// again at a fresh nonce when another shard took that nonce, until the shard funder's balance is there.
/// The wallets themselves still derive from the funder key (<see cref="WalletKeys"/>), so `fastload sweep` and the
/// wallet addresses are the same as for an unsharded run; what the shard funder keeps after funding (fee headroom:
/// funding is priced at the fee cap) stays there, and a later run of the same shard uses it first.
/// </summary>
public static class ShardFunder
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("fastload/shard-funder/v1");
    private static readonly TimeSpan InclusionTimeout = TimeSpan.FromSeconds(120);
    private const int MaxAttempts = 12;

    /// <summary>The funder of shard <paramref name="shard"/>'s wallets (see the type's remarks).</summary>
    public static PrivateKey Derive(in PrivateKey funder, Shard shard)
    {
        byte[] message = new byte[Domain.Length + 4 + 4 + 1];
        Domain.CopyTo(message, 0);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(Domain.Length), (uint)shard.Index);
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(Domain.Length + 4), (uint)shard.Count);
        return WalletKeys.FirstValidKey(funder, message);
    }

    /// <summary>
    /// Brings <paramref name="shardFunder"/>'s balance on <paramref name="api"/>'s chain to at least
    /// <paramref name="need"/> wei with one tx from <paramref name="funder"/>. Other shards send their own top-up from
    /// the same funder at the same time, so a try can lose its nonce: refused at once (nonce too low, replacement
    /// underpriced, already known), or accepted by this node and then dropped for another shard's tx of that nonce
    /// (seen as: the funder's mined nonce passed ours, and ours has no receipt). Either way it tries again at the
    /// funder's new pending nonce, after a short random pause, up to 12 times; it never has two tries in flight.
    /// </summary>
    public static async Task TopUpAsync(RpcClient api, PrivateKey funder, PrivateKey shardFunder, Shard shard, BigInteger need, GasPricing gas, UInt256 chainId,
        ILogger log, CancellationToken cancel)
    {
        string? lastLoss = null;
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            BigInteger have = (await api.GetBalanceAsync(shardFunder.Address, ct: cancel).ConfigureAwait(false)).ToBigInteger();
            if (have >= need) return;
            BigInteger amount = need - have;
            if (attempt == 0) log.ShardFunderTopUp(shard.ToString(), shardFunder.Address.ToString(), LoadRun.FormatEth(amount), funder.Address.ToString());
            BigInteger fee = 21_000 * gas.MaxFeePerGas.ToBigInteger();
            BigInteger funderBalance = (await api.GetBalanceAsync(funder.Address, ct: cancel).ConfigureAwait(false)).ToBigInteger();
            if (funderBalance < amount + fee)
                throw new RunSetupException($"funder {funder.Address} holds {LoadRun.FormatEth(funderBalance)} ETH on {api.Endpoint.Url} but shard {shard} needs {LoadRun.FormatEth(amount + fee)} ETH: top it up, or use fewer wallets / a shorter run");
            ulong nonce = await api.GetTransactionCountAsync(funder.Address, "pending", cancel).ConfigureAwait(false);
            var tx = new DynamicFeeTransaction
            {
                ChainId = chainId, Nonce = nonce, MaxFeePerGas = gas.MaxFeePerGas, MaxPriorityFeePerGas = gas.MaxPriorityFeePerGas,
                GasLimit = 21_000, To = shardFunder.Address, Value = UInt256.FromBigInteger(amount),
            };
            byte[] envelope = new byte[TransactionSigner.MaxSignedLength(tx)];
            byte[] hash = new byte[32];
            int length = TransactionSigner.Sign(tx, funder, envelope, hash);
            try
            {
                await api.SendRawTransactionAsync(envelope.AsMemory(0, length), cancel).ConfigureAwait(false);
            }
            catch (RpcException e) when (IsNonceTaken(e))
            {
                lastLoss = e.RpcMessage;
                log.ShardFunderAttempt(api.Endpoint.Url, nonce, $"lost to another shard ({e.RpcMessage}); trying again");
                await PauseAsync(attempt, cancel).ConfigureAwait(false);
                continue;
            }
            catch (RpcException e)
            {
                throw new RunSetupException($"shard {shard}'s funder top-up was refused by {api.Endpoint.Url}: {e.RpcMessage}");
            }
            log.ShardFunderAttempt(api.Endpoint.Url, nonce, "sent");
            if (await LandedAsync(api, new Hash256(hash), funder.Address, nonce, cancel).ConfigureAwait(false)) continue; // the balance check ends it
            lastLoss = "dropped for another shard's tx of the same nonce";
            log.ShardFunderAttempt(api.Endpoint.Url, nonce, "dropped for another shard's tx of that nonce; trying again");
            await PauseAsync(attempt, cancel).ConfigureAwait(false);
        }
        throw new RunSetupException($"shard {shard}'s funder top-up lost its funder nonce to other shards {MaxAttempts} times on {api.Endpoint.Url} (last: {lastLoss}): start the shards a little apart, or fund {shardFunder.Address} yourself");
    }

    /// <summary>Refusals that mean another tx holds this nonce: try again at the next one.</summary>
    private static bool IsNonceTaken(RpcException e) =>
        ErrorClassifier.Classify(e.Code, e.RpcMessage) is TxOutcome.NonceTooLow or TxOutcome.Underpriced or TxOutcome.AlreadyKnown;

    /// <summary>
    /// True once the tx's receipt shows it succeeded; false when the funder's mined nonce went past it and no receipt came
    /// for 3 s (another tx of that nonce won; if ours landed after all, the caller's balance check sees it and stops). A reverted transfer or no decision within 120 s is a set-up error.
    /// </summary>
    private static async Task<bool> LandedAsync(RpcClient api, Hash256 hash, Address funder, ulong nonce, CancellationToken cancel)
    {
        var clock = Stopwatch.StartNew();
        Stopwatch? minedPast = null;
        while (clock.Elapsed < InclusionTimeout)
        {
            if (await api.GetTransactionReceiptAsync(hash, cancel).ConfigureAwait(false) is { ValueKind: JsonValueKind.Object } receipt)
            {
                if (receipt.TryGetProperty("status", out JsonElement status) && status.GetString() == "0x1") return true;
                throw new RunSetupException($"the shard funder's top-up {hash} failed on {api.Endpoint.Url}: check the node's logs");
            }
            if (minedPast is null && await api.GetTransactionCountAsync(funder, "latest", cancel).ConfigureAwait(false) > nonce)
                minedPast = Stopwatch.StartNew();
            // Mined past our nonce: ours is in, or another tx took the nonce. A node may show the nonce before the
            // receipt (anvil did, by a poll), so "taken" is said only when no receipt came for 3 s after.
            if (minedPast is { Elapsed.TotalSeconds: > 3 }) return false;
            await Task.Delay(100, cancel).ConfigureAwait(false);
        }
        throw new RunSetupException(string.Create(CultureInfo.InvariantCulture,
            $"the shard funder's top-up {hash} was not included within {InclusionTimeout.TotalSeconds:N0} s on {api.Endpoint.Url}: is the node producing blocks?"));
    }

    /// <summary>A short random pause that grows with the attempts, so racing shards spread out.</summary>
    private static Task PauseAsync(int attempt, CancellationToken cancel) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(50, 250) * (attempt + 1)), cancel);
}
