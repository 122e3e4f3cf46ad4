using System.Globalization;
using System.Numerics;
using System.Text.Json;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;
using FastLoad.Engine.Workloads.Abi;
using FastLoad.Engine.Workloads.Setup;

namespace FastLoad.Engine.Workloads.Contracts;

/// <summary>
/// <c>storage:N</c>: every tx calls <c>LoadStorage.write(base, N)</c> (<c>contracts/LoadStorage.sol</c>), which sets N
/// new slots: the tx's base is its sender's index × 2^128 + its nonce × 2^64, so no two txs share a slot. After the run,
/// for a sample of the included txs (50, or <c>--ledger-sample</c>), the first and the last of their N slots must hold
/// 1 and N (<c>eth_getStorageAt</c> on the mapping's slot keccak256(key ‖ 0)).
/// </summary>
public sealed class StorageWorkload(int slots) : IWorkload
{
    public const string ContractName = "LoadStorage";
    public const int MaxSlots = 1000; // ~22,100 gas per new slot: 1,000 fill 22M of a 30M block
    private const int DefaultSample = 50;

    public static readonly AbiSelector Write = AbiSelector.Of("write(uint256,uint256)");

    private Address _storage;
    private ulong _gasLimit;
    private DeployedContract[] _contracts = [];
    private bool _ready;

    public int Slots { get; } = slots is >= 1 and <= MaxSlots ? slots
        : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--workload storage:{slots}: N is the new slots each tx writes, from 1 to {MaxSlots:N0}"));

    public string Spec => string.Create(CultureInfo.InvariantCulture, $"storage:{Slots}");

    public int MaxCalldataLength => 68;

    public ulong MaxGasLimit => _gasLimit;

    public UInt256 MaxValue => UInt256.Zero;

    public IReadOnlyList<DeployedContract> Contracts => _contracts;

    public bool NeedsInclusions => true;

    /// <summary>The first key a tx writes: sender index × 2^128 + nonce × 2^64.</summary>
    public static UInt256 BaseKey(int walletIndex, ulong nonce) => new(0, nonce, (ulong)walletIndex, 0);

    /// <summary>The storage slot of <c>slots[key]</c>: keccak256(key ‖ 0), the mapping being the contract's slot 0.</summary>
    public static byte[] SlotOf(in UInt256 key)
    {
        Span<byte> preimage = stackalloc byte[64];
        key.WriteBigEndian32(preimage);
        preimage[32..].Clear();
        var slot = new byte[32];
        Keccak256.Hash(preimage, slot);
        return slot;
    }

    public async Task SetupAsync(WorkloadSetup setup, CancellationToken cancel)
    {
        PrivateKey funder = setup.RequireFunder(Spec);
        RpcClient api = setup.Nodes[0];
        setup.Log.WorkloadSetupStart(Spec, api.Endpoint.Url);
        var txs = new FunderTxs(api, funder, setup.ChainId, setup.Gas);
        _contracts = [await ContractSetup.DeployOrReuseAsync(setup, txs, ContractName, ContractSetup.Embedded(ContractName), Spec, cancel).ConfigureAwait(false)];
        _storage = _contracts[0].Address;
        // Estimated on slots no tx of any run writes (an index no wallet has): all new, the most a call costs.
        byte[] data = new byte[68];
        WriteCall(data, new UInt256(0, 0, uint.MaxValue + 1UL, 0), Slots);
        ulong estimate = await txs.EstimateAsync(setup.Wallets.All[0].Address, _storage, data, $"write of {Slots} slots", cancel).ConfigureAwait(false);
        _gasLimit = estimate + estimate / 4 + 10_000 + (setup.TxType == TxType.SetCode ? 40_000UL : 0);
        _ready = true;
        setup.Log.WorkloadGasReady(string.Create(CultureInfo.InvariantCulture, $"storage_write {_gasLimit:N0}"));
    }

    public TxPlan NextTx(Wallet wallet, ulong nonce, Span<byte> calldata)
    {
        if (!_ready) throw new InvalidOperationException("the storage workload was asked for a tx before its set-up ran");
        return new TxPlan(WorkloadOp.StorageWrite, _storage, UInt256.Zero, WriteCall(calldata, BaseKey(wallet.Index, nonce), Slots), _gasLimit);
    }

    private static int WriteCall(Span<byte> calldata, in UInt256 key, int count)
    {
        var w = new AbiWriter(calldata);
        w.Selector(Write);
        w.UInt(key);
        w.UInt((ulong)count);
        return w.Length;
    }

    public async Task<WorkloadCheck?> CheckAsync(WorkloadCheckContext context, CancellationToken cancel)
    {
        if (!_ready || context.Included is null) return null;
        (Wallet Wallet, ulong Nonce)[] sample = IncludedSample.Draw(context, DefaultSample, out int includedCount);
        string block = context.AtBlock is ulong at ? RpcClient.Quantity(at) : "latest";
        // The first and the last slot of each sampled tx.
        var reads = new List<(int Tx, ulong Expected, string Slot)>();
        for (int t = 0; t < sample.Length; t++)
        {
            UInt256 key = BaseKey(sample[t].Wallet.Index, sample[t].Nonce);
            reads.Add((t, 1, Hex.ToPrefixedString(SlotOf(key))));
            if (Slots > 1) reads.Add((t, (ulong)Slots, Hex.ToPrefixedString(SlotOf(new UInt256(key.U0 + (ulong)Slots - 1, key.U1, key.U2, key.U3)))));
        }
        var bad = new Dictionary<int, (ulong Expected, BigInteger Actual)>();
        for (int start = 0; start < reads.Count; start += 200)
        {
            List<(int Tx, ulong Expected, string Slot)> chunk = reads.GetRange(start, Math.Min(200, reads.Count - start));
            var calls = chunk.ConvertAll(r => ("eth_getStorageAt", new object?[] { _storage, r.Slot, block }));
            IReadOnlyList<RpcBatchResult> answers = await context.Nodes[0].CallBatchAsync(calls, cancel).ConfigureAwait(false);
            for (int i = 0; i < chunk.Count; i++)
            {
                JsonElement value = answers[i].GetResultOrThrow();
                BigInteger actual = value.ValueKind == JsonValueKind.String && Hex.TryDecode(value.GetString()!, out byte[] bytes)
                    ? new BigInteger(bytes, isUnsigned: true, isBigEndian: true) : BigInteger.MinusOne;
                if (actual != chunk[i].Expected) bad.TryAdd(chunk[i].Tx, (chunk[i].Expected, actual));
            }
        }
        var mismatches = new List<LedgerMismatch>();
        foreach ((int t, (ulong expected, BigInteger actual)) in bad.OrderBy(p => p.Key))
            mismatches.Add(new LedgerMismatch(sample[t].Wallet.Index, sample[t].Wallet.Address, expected, actual));
        return new WorkloadCheck
        {
            Name = "storage",
            Checked = sample.Length,
            Wallets = context.Wallets.All.Length,
            IncludedTxs = includedCount,
            Mismatches = mismatches,
            Ops = [(WorkloadOp.StorageWrite, includedCount, (BigInteger)includedCount * Slots)],
        };
    }
}
