using BenchmarkDotNet.Attributes;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;
using FastLoad.Engine.Workloads;
using FastLoad.Engine.Workloads.Contracts;
using FastLoad.Engine.Workloads.Tokens;

namespace FastLoad.Benchmarks.Workloads;

/// <summary>
/// What the workload seam costs on a signer thread. Baseline: an EIP-1559 ETH transfer signed directly, as the signer
/// threads did before workloads (TransactionSigner over a struct literal). Then the same transfer through
/// <see cref="TxComposer"/> (one interface call for the plan), an ERC-20 transfer and a mix op (68 or 36 bytes of
/// calldata), and <see cref="IWorkload.NextTx"/> alone. Every method signs and hex-encodes nothing more than the
/// signer threads do (the call's hex is the sender's cost, measured in SignBenchmarks).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory(Macro.HotPath.Category)]
public class WorkloadBenchmarks
{
    private static readonly GasPricing Gas = new(2_000_000_000, 2_000_000_000, 1_000_000_000);
    private static readonly Address Token = Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3");
    private readonly byte[] _envelope = new byte[1024];
    private readonly byte[] _txHash = new byte[32];
    private readonly SignedAuthorization[] _authorization = new SignedAuthorization[1];
    private byte[] _calldata = new byte[128];
    private Wallet _wallet = null!;
    private TxComposer _transfer = null!, _erc20 = null!, _mix = null!;
    private TokenWorkload _mixWorkload = null!;
    private TxComposer _weighted = null!;
    private Wallet[] _all = [];
    private ulong[] _nonces = [];
    private int _next;
    private ulong _nonce;
    private CallWorkload _callWorkload = null!;
    private readonly byte[] _callData = new byte[512];

    [GlobalSetup]
    public void Setup()
    {
        WalletSet wallets = WalletSet.Derive(Fixtures.Key, "bench", 100, Shard.Single, 1, 1);
        _wallet = wallets.All[0];
        _transfer = new TransferWorkload(TxType.DynamicFee, 31337, Gas).Composer;
        var erc20 = (TokenWorkload)WorkloadSpec.Parse("erc20").Create(TxType.DynamicFee, 31337, Gas);
        erc20.UsePreset(Token, wallets, TxType.DynamicFee);
        _erc20 = new TxComposer(erc20, TxType.DynamicFee, 31337, Gas);
        _mixWorkload = (TokenWorkload)WorkloadSpec.Parse("mix:mint=50,burn=30,transfer=20").Create(TxType.DynamicFee, 31337, Gas);
        _mixWorkload.UsePreset(Token, wallets, TxType.DynamicFee);
        _mix = new TxComposer(_mixWorkload, TxType.DynamicFee, 31337, Gas);
        // Two workloads by weight: each wallet belongs to one part; the benchmark walks all wallets so both are signed.
        var weighted = (CompositeWorkload)WorkloadSpec.Parse("transfer@50+erc20@50").Create(TxType.DynamicFee, 31337, Gas);
        weighted.BindWallets(wallets);
        ((TokenWorkload)weighted.Parts[1]).UsePreset(Token, weighted.PartWallets[1], TxType.DynamicFee);
        _weighted = new TxComposer(weighted, TxType.DynamicFee, 31337, Gas);
        // A call with dynamic arguments and a per-tx word of each kind: the template is copied, then the words written.
        _callWorkload = (CallWorkload)WorkloadSpec.Parse(
            "call:0x00000000000000000000000000000000000C0DE5:log(string,uint256[],address,uint256,bytes32):\"load, test\",[1,2,3],{wallet},{counter},{random}")
            .Create(TxType.DynamicFee, 31337, Gas);
        _callWorkload.UsePreset(wallets, TxType.DynamicFee, 60_000);
        _all = wallets.All;
        _nonces = new ulong[_all.Length];
        // The seam must not change the bytes: the composed transfer is the directly signed one.
        byte[] direct = new byte[512], composed = new byte[512];
        int a = SignDirect(0, direct);
        int b = _transfer.Sign(_wallet, 0, composed, _txHash, _authorization, _calldata, out _);
        if (!direct.AsSpan(0, a).SequenceEqual(composed.AsSpan(0, b))) throw new InvalidOperationException("the composer signs other bytes than the direct path");
    }

    private int SignDirect(ulong nonce, byte[] envelope) => TransactionSigner.Sign(new DynamicFeeTransaction
    {
        ChainId = 31337, Nonce = nonce, MaxFeePerGas = Gas.MaxFeePerGas, MaxPriorityFeePerGas = Gas.MaxPriorityFeePerGas,
        GasLimit = 21_000, To = TxComposer.DefaultDelegate, Value = 1,
    }, _wallet.Key, envelope, _txHash);

    [Benchmark(Baseline = true)]
    public int TransferDirect() => SignDirect(_nonce++, _envelope);

    [Benchmark]
    public int TransferViaComposer() => _transfer.Sign(_wallet, _nonce++, _envelope, _txHash, _authorization, _calldata, out _);

    [Benchmark]
    public int Erc20TransferViaComposer() => _erc20.Sign(_wallet, _nonce++, _envelope, _txHash, _authorization, _calldata, out _);

    [Benchmark]
    public int MixViaComposer() => _mix.Sign(_wallet, _nonce++, _envelope, _txHash, _authorization, _calldata, out _);

    [Benchmark]
    public int WeightedViaComposer()
    {
        int i = _next;
        _next = i + 1 == _all.Length ? 0 : i + 1;
        return _weighted.Sign(_all[i], _nonces[i]++, _envelope, _txHash, _authorization, _calldata, out _);
    }

    [Benchmark]
    public int MixNextTxOnly() => _mixWorkload.NextTx(_wallet, _nonce++, _calldata).DataLength;

    /// <summary>The call workload's <c>NextTx</c> alone: a 356-byte template copied, then {wallet}, {counter}, {random} written.</summary>
    [Benchmark]
    public int CallNextTxOnly() => _callWorkload.NextTx(_wallet, _nonce++, _callData).DataLength;
}
