using System.Buffers.Binary;
using System.Numerics;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;
using FastLoad.Engine.Workloads;
using FastLoad.Engine.Workloads.Tokens;

namespace FastLoad.Tests.Workloads;

/// <summary>The token workloads without a chain (a preset token address): determinism, the debit floor, the ledger, allocation.</summary>
public class TokenWorkloadTests
{
    private static readonly Address Token = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private static readonly GasPricing Gas = new(2_000_000_000, 2_000_000_000, 1_000_000_000);

    private static WalletSet Wallets(int count, int startNonce = 0)
    {
        WalletSet set = WalletSet.Derive(DeterministicKeys.Derive("token-tests", 0), "token-tests", count, Shard.Single, 2, 1);
        foreach (Wallet w in set.All) w.NextNonce = (ulong)(startNonce + w.Index * 3); // each wallet starts somewhere else
        return set;
    }

    private static TokenWorkload Preset(string spec, WalletSet wallets, TxType type = TxType.DynamicFee)
    {
        var workload = (TokenWorkload)WorkloadSpec.Parse(spec).Create(type, 31337, Gas);
        workload.UsePreset(Token, wallets, type);
        return workload;
    }

    /// <summary>What a tx's calldata does: op, recipient (transfers, mints) and amount.</summary>
    private static (WorkloadOp Op, Address? To, BigInteger Amount) Decode(ReadOnlySpan<byte> data)
    {
        uint selector = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (selector == LoadToken.Burn.Value) return (WorkloadOp.Burn, null, new BigInteger(data[4..36], isUnsigned: true, isBigEndian: true));
        var to = new Address(data.Slice(16, 20));
        BigInteger amount = new(data[36..68], isUnsigned: true, isBigEndian: true);
        if (selector == LoadToken.Mint.Value) return (WorkloadOp.Mint, to, amount);
        Assert.Equal(LoadToken.Transfer.Value, selector);
        return (WorkloadOp.Erc20Transfer, to, amount);
    }

    [Fact]
    public void The_same_nonce_always_gives_the_same_tx_whatever_came_before()
    {
        WalletSet wallets = Wallets(5);
        TokenWorkload workload = Preset("mix:mint=50,burn=30,transfer=20", wallets);
        Wallet w = wallets.All[2];
        var inOrder = new List<string>();
        byte[] data = new byte[workload.MaxCalldataLength];
        for (ulong k = 0; k < 200; k++)
        {
            TxPlan plan = workload.NextTx(w, w.NextNonce + k, data);
            inOrder.Add($"{plan.Op} {plan.GasLimit} {Convert.ToHexString(data, 0, plan.DataLength)}");
        }
        // Re-signs after resyncs go back and forth: the wallet's floor is replayed, the txs come out identical.
        foreach (int k in new[] { 150, 3, 3, 199, 0, 77, 78, 10 })
        {
            TxPlan plan = workload.NextTx(w, w.NextNonce + (ulong)k, data);
            Assert.Equal(inOrder[k], $"{plan.Op} {plan.GasLimit} {Convert.ToHexString(data, 0, plan.DataLength)}");
        }
        Assert.Equal(Token, workload.NextTx(w, w.NextNonce, data).To);
    }

    [Fact]
    public void Mix_never_debits_more_than_the_wallet_holds_from_its_own_ops()
    {
        WalletSet wallets = Wallets(10);
        TokenWorkload workload = Preset("mix:mint=0,burn=70,transfer=30", wallets); // debits only: every mint is a debit the floor turned into a credit
        BigInteger start = BigInteger.Pow(10, 21); // 1,000 tokens minted in set-up
        byte[] data = new byte[workload.MaxCalldataLength];
        int credits = 0;
        foreach (Wallet w in wallets.All)
        {
            BigInteger own = start; // what the wallet holds counting only its own txs (transfers in only add)
            for (ulong k = 0; k < 500; k++)
            {
                TxPlan plan = workload.NextTx(w, w.NextNonce + k, data);
                (WorkloadOp op, Address? to, BigInteger amount) = Decode(data.AsSpan(0, plan.DataLength));
                Assert.Equal(plan.Op, op);
                if (op == WorkloadOp.Mint)
                {
                    Assert.Equal(w.Address, to);
                    own += amount;
                    credits++;
                    continue;
                }
                Assert.True(amount <= own, $"wallet {w.Index} tx {k}: {op} of {amount} with only {own}");
                Assert.True(amount > 0);
                if (op == WorkloadOp.Erc20Transfer) Assert.NotEqual(w.Address, to);
                own -= amount;
            }
        }
        Assert.True(credits > 0, "the floor never turned a debit into a credit: the test never reached an empty wallet");
    }

    [Fact]
    public void The_ledger_applies_exactly_the_included_txs()
    {
        WalletSet wallets = Wallets(8);
        TokenWorkload workload = Preset("mix:mint=40,burn=30,transfer=30", wallets);
        TokenWorkload model = Preset("mix:mint=40,burn=30,transfer=30", wallets); // a second instance: its own cursors
        var included = new IncludedNonces(wallets);
        var expected = wallets.All.ToDictionary(w => w.Address, _ => BigInteger.Pow(10, 21));
        var random = new Random(7);
        byte[] data = new byte[model.MaxCalldataLength];
        long txs = 0;
        foreach (Wallet w in wallets.All)
        {
            int count = random.Next(0, 120); // included: a prefix of the wallet's nonces, as on a chain
            for (int k = 0; k < count; k++)
            {
                ulong nonce = w.NextNonce + (ulong)k;
                included.Add(w, nonce);
                if (k % 10 == 0) included.Add(w, nonce); // seen twice (two nodes' watchers): counted once
                TxPlan plan = model.NextTx(w, nonce, data);
                (WorkloadOp op, Address? to, BigInteger amount) = Decode(data.AsSpan(0, plan.DataLength));
                if (op == WorkloadOp.Burn) expected[w.Address] -= amount;
                else if (op == WorkloadOp.Mint) expected[to!.Value] += amount;
                else { expected[w.Address] -= amount; expected[to!.Value] += amount; }
                txs++;
            }
        }
        TokenWorkload.Ledger ledger = workload.ComputeLedger(included);
        Assert.Equal(txs, ledger.IncludedTxs);
        for (int i = 0; i < wallets.All.Length; i++) Assert.Equal(expected[wallets.All[i].Address], ledger.Expected[i]);
        Assert.Equal(txs, ledger.Ops.Sum(o => o.Count));
    }

    [Theory]
    [InlineData("erc20", TxType.DynamicFee)]
    [InlineData("mix:mint=50,burn=30,transfer=20", TxType.DynamicFee)]
    [InlineData("mix:mint=50,burn=30,transfer=20", TxType.Legacy)]
    [InlineData("erc20", TxType.SetCode)]
    public void Composing_and_signing_token_txs_allocates_nothing(string spec, TxType type)
    {
        WalletSet wallets = Wallets(4);
        TokenWorkload workload = Preset(spec, wallets, type);
        var composer = new TxComposer(workload, type, 31337, Gas);
        byte[] envelope = new byte[1024], hash = new byte[32], calldata = new byte[composer.CalldataCapacity];
        var authorization = new SignedAuthorization[1];
        Wallet w = wallets.All[1];
        ulong nonce = w.NextNonce;
        void SignOne()
        {
            composer.Sign(w, nonce, envelope, hash, authorization, calldata, out _);
            nonce += (ulong)composer.NoncesPerTx;
        }
        for (int i = 0; i < 200; i++) SignOne(); // warm up: JIT tiers, statics
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 2000; i++) SignOne();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_signed_erc20_tx_decodes_to_a_call_of_the_token_with_its_gas_limit()
    {
        WalletSet wallets = Wallets(3);
        TokenWorkload workload = Preset("erc20", wallets);
        var composer = new TxComposer(workload, TxType.DynamicFee, 31337, Gas);
        byte[] envelope = new byte[1024], hash = new byte[32], calldata = new byte[composer.CalldataCapacity];
        Wallet w = wallets.All[0];
        int length = composer.Sign(w, w.NextNonce, envelope, hash, new SignedAuthorization[1], calldata, out WorkloadOp op);
        Assert.Equal(WorkloadOp.Erc20Transfer, op);
        DecodedTransaction tx = TransactionDecoder.Decode(envelope.AsSpan(0, length).ToArray());
        var body = Assert.IsType<DynamicFeeTransaction>(tx.Body);
        Assert.Equal(Token, body.To);
        Assert.Equal(100_000UL, body.GasLimit);
        Assert.Equal(UInt256.Zero, body.Value);
        Assert.True(tx.TryRecoverSender(out Address sender));
        Assert.Equal(w.Address, sender);
        (WorkloadOp decodedOp, Address? to, BigInteger amount) = Decode(body.Data.Span);
        Assert.Equal(WorkloadOp.Erc20Transfer, decodedOp);
        Assert.Contains(wallets.All, x => x.Address == to && x != w);
        Assert.InRange(amount, BigInteger.Pow(10, 15), BigInteger.Pow(10, 18));
    }
}
