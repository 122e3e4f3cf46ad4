using System.Globalization;
using System.Numerics;
using System.Text.Json;
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
/// <c>gas:N</c>: every tx calls <c>LoadGasBurner.burn(amount)</c> (<c>contracts/LoadGasBurner.sol</c>), with the amount
/// set in set-up so that the whole tx uses about N gas. After the run, the receipts of a sample of the included txs
/// (50, or <c>--ledger-sample</c>) must show a <c>gasUsed</c> within 5 % of N.
/// </summary>
public sealed class GasWorkload(ulong gas) : IWorkload
{
    public const string ContractName = "LoadGasBurner";
    public const ulong MinGas = 30_000;
    public const ulong MaxGas = 15_000_000;
    private const int DefaultSample = 50;

    public static readonly AbiSelector Burn = AbiSelector.Of("burn(uint256)");

    private static byte[]? _bytecode;
    private Address _burner;
    private ulong _amount, _gasLimit;
    private DeployedContract[] _contracts = [];
    private bool _ready;

    /// <summary>The gas each tx should use.</summary>
    public ulong Gas { get; } = gas is >= MinGas and <= MaxGas ? gas
        : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--workload gas:{gas}: N is the gas each tx uses, from {MinGas:N0} to {MaxGas:N0}"));

    /// <summary>The burner's creation bytecode (contracts/build/LoadGasBurner.bin).</summary>
    public static byte[] Bytecode => _bytecode ??= ReadBytecode();

    public string Spec => string.Create(CultureInfo.InvariantCulture, $"gas:{Gas}");

    public int MaxCalldataLength => 36;

    public ulong MaxGasLimit => _gasLimit;

    public UInt256 MaxValue => UInt256.Zero;

    public IReadOnlyList<DeployedContract> Contracts => _contracts;

    public bool NeedsInclusions => true;

    /// <summary>What burn() is asked to spend, so that the tx uses <see cref="Gas"/> in all (after set-up).</summary>
    public ulong BurnAmount => _amount;

    public async Task SetupAsync(WorkloadSetup setup, CancellationToken cancel)
    {
        PrivateKey funder = setup.RequireFunder(Spec);
        RpcClient api = setup.Nodes[0];
        setup.Log.WorkloadSetupStart(Spec, api.Endpoint.Url);
        var txs = new FunderTxs(api, funder, setup.ChainId, setup.Gas);
        _contracts = [await ContractSetup.DeployOrReuseAsync(setup, txs, ContractName, Bytecode, Spec, cancel).ConfigureAwait(false)];
        _burner = _contracts[0].Address;

        // Calibrate: the gas of a call is its fixed part (intrinsic, calldata, call overhead) plus what burn() spins.
        ulong probe = Gas / 2;
        byte[] data = new byte[36];
        Write(data, probe);
        ulong estimate = await txs.EstimateAsync(setup.Wallets.All[0].Address, _burner, data, $"burn({probe})", cancel).ConfigureAwait(false);
        ulong fixedPart = estimate > probe ? estimate - probe : 21_000;
        if (fixedPart >= Gas) throw new RunSetupException($"--workload {Spec}: a call to {ContractName} alone takes {fixedPart:N0} gas here: give N above that");
        _amount = Gas - fixedPart;
        _gasLimit = Gas + Gas / 10 + 10_000 + (setup.TxType == TxType.SetCode ? 40_000UL : 0);
        _ready = true;
        setup.Log.WorkloadGasReady(string.Create(CultureInfo.InvariantCulture, $"gas_burn {_gasLimit:N0} (burn({_amount:N0}) + {fixedPart:N0} fixed)"));
    }

    public TxPlan NextTx(Wallet wallet, ulong nonce, Span<byte> calldata)
    {
        if (!_ready) throw new InvalidOperationException("the gas workload was asked for a tx before its set-up ran");
        return new TxPlan(WorkloadOp.GasBurn, _burner, UInt256.Zero, Write(calldata, _amount), _gasLimit);
    }

    private static int Write(Span<byte> calldata, ulong amount)
    {
        var w = new AbiWriter(calldata);
        w.Selector(Burn);
        w.UInt(amount);
        return w.Length;
    }

    public async Task<WorkloadCheck?> CheckAsync(WorkloadCheckContext context, CancellationToken cancel)
    {
        if (!_ready || context.Included is null || context.Composer is null) return null;
        (Wallet Wallet, ulong Nonce)[] sample = IncludedSample.Draw(context, DefaultSample, out int includedCount);
        List<(string Method, object?[] Params)> calls = IncludedSample.ReceiptCalls(context, sample, MaxCalldataLength);
        var mismatches = new List<LedgerMismatch>();
        BigInteger total = 0;
        for (int start = 0; start < calls.Count; start += 100)
        {
            IReadOnlyList<RpcBatchResult> receipts = await context.Nodes[0].CallBatchAsync(calls.GetRange(start, Math.Min(100, calls.Count - start)), cancel).ConfigureAwait(false);
            for (int i = 0; i < receipts.Count; i++)
            {
                (Wallet w, ulong nonce) = sample[start + i];
                JsonElement receipt = receipts[i].GetResultOrThrow();
                ulong used = receipt.ValueKind == JsonValueKind.Object && receipt.TryGetProperty("gasUsed", out JsonElement g) ? FunderTxs.ParseQuantity(g, "gasUsed") : 0;
                total += used;
                bool ok = receipt.ValueKind == JsonValueKind.Object && receipt.TryGetProperty("status", out JsonElement status) && status.GetString() == "0x1"
                    && used * 100 >= Gas * 95 && used * 100 <= Gas * 105;
                if (!ok) mismatches.Add(new LedgerMismatch(w.Index, w.Address, Gas, used));
            }
        }
        return new WorkloadCheck
        {
            Name = "gas",
            Checked = sample.Length,
            Wallets = context.Wallets.All.Length,
            IncludedTxs = includedCount,
            Mismatches = mismatches,
            Ops = [(WorkloadOp.GasBurn, includedCount, sample.Length == 0 ? BigInteger.Zero : total / sample.Length)],
        };
    }

    private static byte[] ReadBytecode() => ContractSetup.Embedded(ContractName);
}
