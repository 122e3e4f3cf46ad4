using System.Diagnostics;
using FastLoad.Engine.Load;
using FastLoad.Engine.Workloads;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;

namespace FastLoad.Tests.Load;

public class SignerPoolTests
{
    private static TransferWorkload Workload(TxType type) => new(type, 31337, new GasPricing(2_000_000_000, 2_000_000_000, 1_000_000_000));

    /// <summary>Reads the next signed tx from the ring, waiting (bounded) for the signer thread.</summary>
    private static (Wallet Wallet, ulong Nonce, long Id, byte[] Call) Next(PresignedRing ring)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (ring.TryBeginRead(out PresignedTx slot, out long position))
            {
                var read = (slot.Wallet!, slot.Nonce, slot.Id, slot.CallBytes.ToArray());
                ring.EndRead(position);
                return read;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the signer produced nothing within 10 s");
            Thread.Yield();
        }
    }

    private static ulong DecodedNonce(ReadOnlySpan<byte> call, out ulong authorizationNonce)
    {
        string text = System.Text.Encoding.UTF8.GetString(call);
        int start = text.IndexOf("\"0x", StringComparison.Ordinal) + 1;
        byte[] raw = Convert.FromHexString(text[(start + 2)..text.IndexOf('"', start)]);
        DecodedTransaction tx = TransactionDecoder.Decode(raw);
        switch (tx.Body)
        {
            case SetCodeTransaction setCode:
                SignedAuthorization signed = setCode.AuthorizationList.Span[0];
                authorizationNonce = signed.Nonce;
                Assert.True(signed.TryRecoverAuthority(out var authority));
                Assert.True(tx.TryRecoverSender(out var sender));
                Assert.Equal(sender, authority);
                return setCode.Nonce;
            case DynamicFeeTransaction dynamicFee:
                authorizationNonce = ulong.MaxValue;
                return dynamicFee.Nonce;
            default:
                throw new InvalidOperationException($"unexpected {tx.Type}");
        }
    }

    [Fact]
    public void A_7702_wallet_takes_two_nonces_a_tx_and_signs_again_only_after_inclusion()
    {
        WalletSet wallets = WalletSet.Derive(FastLoad.Tests.Infrastructure.TestKeys.Funder, "signer-7702", 2, Shard.Single, signerThreads: 1, nodeCount: 1);
        Wallet held = wallets.All[0], released = wallets.All[1];
        held.NextNonce = 5;
        released.NextNonce = 9;
        var ring = new PresignedRing(16, CallWriter.MaxLength(512));
        var pool = new SignerPool(wallets, [ring], Workload(TxType.SetCode), maxTxs: -1, periodicResync: 0, requestFetch: _ => { });
        pool.Start();
        try
        {
            var heldFirst = Next(ring);
            var releasedFirst = Next(ring);
            if (heldFirst.Wallet != held) (heldFirst, releasedFirst) = (releasedFirst, heldFirst);
            Assert.Same(held, heldFirst.Wallet);
            Assert.Equal(5ul, heldFirst.Nonce);
            Assert.Equal(5ul, DecodedNonce(heldFirst.Call, out ulong authorization));
            Assert.Equal(6ul, authorization); // signed by the sender itself, after the tx's own bump
            // The released wallet's txs are "included" one by one; each time it signs its next tx, two nonces on.
            var last = releasedFirst;
            for (int i = 1; i <= 20; i++)
            {
                released.OnIncluded(last.Id);
                last = Next(ring);
                Assert.Same(released, last.Wallet); // the held wallet's tx is not included: it signs nothing meanwhile
                Assert.Equal(9ul + 2ul * (ulong)i, last.Nonce);
                Assert.Equal(last.Nonce, DecodedNonce(last.Call, out authorization));
                Assert.Equal(last.Nonce + 1, authorization);
            }
            held.OnIncluded(heldFirst.Id);
            Assert.Equal(7ul, Next(ring).Nonce);
            Assert.Equal(23, pool.Signed);
        }
        finally
        {
            pool.Stop();
        }
    }

    [Fact]
    public void A_1559_wallet_signs_ahead_one_nonce_a_tx()
    {
        WalletSet wallets = WalletSet.Derive(FastLoad.Tests.Infrastructure.TestKeys.Funder, "signer-1559", 1, Shard.Single, signerThreads: 1, nodeCount: 1);
        wallets.All[0].NextNonce = 3;
        var ring = new PresignedRing(8, CallWriter.MaxLength(512));
        var pool = new SignerPool(wallets, [ring], Workload(TxType.DynamicFee), maxTxs: 8, periodicResync: 0, requestFetch: _ => { });
        pool.Start();
        try
        {
            for (ulong i = 0; i < 8; i++) Assert.Equal(3 + i, Next(ring).Nonce); // nothing included: it signs ahead anyway
        }
        finally
        {
            pool.Stop();
        }
    }

    [Fact]
    public void A_discarded_7702_tx_frees_its_wallet_and_gives_its_budget_back()
    {
        WalletSet wallets = WalletSet.Derive(FastLoad.Tests.Infrastructure.TestKeys.Funder, "signer-discard", 1, Shard.Single, signerThreads: 1, nodeCount: 1);
        Wallet wallet = wallets.All[0];
        var ring = new PresignedRing(8, CallWriter.MaxLength(512));
        var pool = new SignerPool(wallets, [ring], Workload(TxType.SetCode), maxTxs: 1, periodicResync: 0, requestFetch: w => w.SetFetchedNonce(w.FetchEpoch, 0));
        pool.Start();
        try
        {
            var first = Next(ring);
            Assert.Equal(0ul, first.Nonce);
            wallet.RequestResync();              // e.g. the breaker: the tx in the ring is stale, the sender discards it
            pool.Discarded(wallet, first.Id);
            var again = Next(ring);              // re-signed after the resync (the node said 0: the tx never left)
            Assert.Equal(0ul, again.Nonce);
            Assert.NotEqual(first.Id, again.Id);
            Assert.Equal(1, wallet.Resyncs);
        }
        finally
        {
            pool.Stop();
        }
    }
}
