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
/// <c>call:ADDR:SIG[:ARGS]</c> or <c>call:ADDR:0xCALLDATA</c>: any contract call. SIG is a function signature whose
/// argument types and values <see cref="AbiCallTemplate"/> encodes (static and dynamic types, one-level arrays); ARGS are
/// comma-separated values, each a literal or, for a static single value, a per-tx template: <c>{wallet}</c> (the sender:
/// its address, or its index for a uint), <c>{counter}</c> (the wallet's tx number in the run, from 0), <c>{random}</c>
/// (a hash of the wallet and its tx number: the same tx each time it is signed). Set-up only estimates the gas of the
/// first wallet's first calls. After the run the receipts of 50 sampled included txs (or <c>--ledger-sample</c>) must
/// show success: a call that reverts is a mismatch.
/// </summary>
public sealed class CallWorkload : IWorkload
{
    private const int DefaultSample = 50;

    private readonly byte[] _template; // the calldata with zero words where the per-tx slots go
    private readonly (int Offset, AbiSlot Kind)[] _slots;
    private ulong[] _startNonce = [];
    private int[] _localByIndex = [];
    private ulong _noncesPerTx = 1;
    private ulong _gasLimit;
    private bool _ready;

    private CallWorkload(string spec, Address target, byte[] template, (int, AbiSlot)[] slots)
    {
        Spec = spec;
        Target = target;
        _template = template;
        _slots = slots;
    }

    public Address Target { get; }

    public string Spec { get; }

    public int MaxCalldataLength => _template.Length;

    public ulong MaxGasLimit => _gasLimit;

    public UInt256 MaxValue => UInt256.Zero;

    public IReadOnlyList<DeployedContract> Contracts => [];

    public bool NeedsInclusions => true;

    /// <summary>Parses what follows <c>call:</c> (<paramref name="text"/> is the whole --workload, for messages).</summary>
    public static CallWorkload Parse(string text, string args)
    {
        const string Example = "e.g. call:0xTOKEN:transfer(address,uint256):{wallet},1 or call:0xADDR:0xa9059cbb…";
        int colon = args.IndexOf(':', StringComparison.Ordinal);
        string addressText = colon < 0 ? args : args[..colon];
        if (!Address.TryParse(addressText, out Address target))
            throw new ArgumentException($"--workload '{text}': '{addressText}' is not a 20-byte 0x-hex contract address ({Example})");
        if (colon < 0) throw new ArgumentException($"--workload '{text}': give a function signature or 0x calldata after the address ({Example})");
        string rest = args[(colon + 1)..];
        if (rest.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            if (!Hex.TryDecode(rest, out byte[] raw) || raw.Length == 0)
                throw new ArgumentException($"--workload '{text}': '{rest}' is not 0x-hex calldata ({Example})");
            return new CallWorkload($"call:{target}:{Hex.ToPrefixedString(raw)}", target, raw, []);
        }
        int close = rest.IndexOf(')', StringComparison.Ordinal);
        int open = rest.IndexOf('(', StringComparison.Ordinal);
        if (open <= 0 || close < open)
            throw new ArgumentException($"--workload '{text}': '{rest}' is not a function signature like transfer(address,uint256) ({Example})");
        if (rest.IndexOf('(', open + 1) is >= 0 and var nested && nested < close)
            throw new ArgumentException($"--workload '{text}': tuple types are not supported in {rest[..(rest.LastIndexOf(')') + 1)]}: use address, bool, uintN, intN, bytesN, bytes, string, or T[] / T[K] of the static ones, or give 0x calldata ({Example})");
        string signature = rest[..(close + 1)].Replace(" ", "", StringComparison.Ordinal);
        string argText = close + 1 < rest.Length ? rest[(close + 1)..] : "";
        if (argText.Length > 0 && argText[0] != ':')
            throw new ArgumentException($"--workload '{text}': put ':' between the signature and its arguments ({Example})");
        AbiCallTemplate call = AbiCallTemplate.Parse($"--workload '{text}'", signature, argText.Length <= 1 ? "" : argText[1..]);
        return new CallWorkload($"call:{target}:{call.Signature}{(argText.Length > 1 ? argText : "")}", target, call.Template, [.. call.Slots]);
    }

    public async Task SetupAsync(WorkloadSetup setup, CancellationToken cancel)
    {
        RpcClient api = setup.Nodes[0];
        setup.Log.WorkloadSetupStart(Spec, api.Endpoint.Url);
        foreach (RpcClient node in setup.Nodes)
            if (!await FunderTxs.HasCodeAsync(node, Target, cancel).ConfigureAwait(false))
                throw new RunSetupException($"--workload call: no contract at {Target} on {node.Endpoint.Url}: give the address of a deployed contract");
        Wallet[] wallets = setup.Wallets.All;
        BindWallets(wallets, setup.NoncesPerTx);
        // Templates change the gas a call takes (a transfer of {counter} = 0 writes nothing, of 1 a new slot): the most of
        // the first and last wallet's first three calls, +25 % and 30,000 for a new slot the samples did not hit.
        byte[] data = new byte[MaxCalldataLength];
        ulong estimate = 0;
        foreach (Wallet w in wallets.Length > 1 ? new[] { wallets[0], wallets[^1] } : [wallets[0]])
        {
            for (ulong k = 0; k < 3; k++)
            {
                int length = Write(w, k, data);
                var call = new Dictionary<string, object?> { ["from"] = w.Address, ["to"] = Target, ["data"] = Hex.ToPrefixedString(data.AsSpan(0, length)) };
                try
                {
                    estimate = Math.Max(estimate, FunderTxs.ParseQuantity(await api.CallAsync("eth_estimateGas", [call], cancel).ConfigureAwait(false), "eth_estimateGas"));
                }
                catch (RpcException e)
                {
                    throw new RunSetupException($"--workload call: wallet {w.Index}'s call {k} of {Target} fails on {api.Endpoint.Url} ({e.RpcMessage}): check the signature, the arguments and the wallets' state");
                }
                if (_slots.Length == 0) break; // the same calldata every time
            }
        }
        _gasLimit = estimate + estimate / 4 + 30_000 + (setup.TxType == TxType.SetCode ? 40_000UL : 0);
        _ready = true;
        setup.Log.WorkloadGasReady(string.Create(CultureInfo.InvariantCulture, $"call {_gasLimit:N0}"));
    }

    /// <summary>Each wallet's tx number counts from its next nonce now (<c>{counter}</c> = 0 for the first call).</summary>
    private void BindWallets(Wallet[] wallets, int noncesPerTx)
    {
        int max = 0;
        foreach (Wallet w in wallets) max = Math.Max(max, w.Index);
        _localByIndex = new int[max + 1];
        _startNonce = new ulong[wallets.Length];
        for (int i = 0; i < wallets.Length; i++)
        {
            _localByIndex[wallets[i].Index] = i;
            _startNonce[i] = wallets[i].NextNonce;
        }
        _noncesPerTx = (ulong)noncesPerTx;
    }

    /// <summary>Ready without a node (benchmarks, tests): the wallets as they are now and a given gas limit.</summary>
    public void UsePreset(WalletSet wallets, TxType type, ulong gasLimit)
    {
        BindWallets(wallets.All, TransferWorkload.NoncesPerTxOf(type));
        _gasLimit = gasLimit;
        _ready = true;
    }

    public TxPlan NextTx(Wallet wallet, ulong nonce, Span<byte> calldata)
    {
        if (!_ready) throw new InvalidOperationException("the call workload was asked for a tx before its set-up ran");
        ulong k = (nonce - _startNonce[_localByIndex[wallet.Index]]) / _noncesPerTx;
        return new TxPlan(WorkloadOp.Call, Target, UInt256.Zero, Write(wallet, k, calldata), _gasLimit);
    }

    private int Write(Wallet wallet, ulong k, Span<byte> calldata)
    {
        _template.CopyTo(calldata);
        foreach ((int offset, AbiSlot kind) in _slots)
        {
            var w = new AbiWriter(calldata[offset..]);
            switch (kind)
            {
                case AbiSlot.WalletAddress: w.Address(wallet.Address); break;
                case AbiSlot.WalletIndex: w.UInt((ulong)wallet.Index); break;
                case AbiSlot.Counter: w.UInt(k); break;
                case AbiSlot.Random:
                case AbiSlot.RandomAddress:
                    w.UInt(new UInt256(Mix((ulong)wallet.Index, k, 1), Mix((ulong)wallet.Index, k, 2), Mix((ulong)wallet.Index, k, 3), Mix((ulong)wallet.Index, k, 4)));
                    if (kind == AbiSlot.RandomAddress) calldata.Slice(offset, 12).Clear(); // an address word: 20 bytes, zeros above
                    break;
            }
        }
        return _template.Length;
    }

    /// <summary>{random}'s 64-bit limbs: SplitMix64 of the wallet, its tx number and the limb.</summary>
    private static ulong Mix(ulong wallet, ulong k, ulong limb)
    {
        ulong z = (wallet + 1) * 0x9E3779B97F4A7C15UL ^ (k + 1) * 0xC2B2AE3D27D4EB4FUL ^ limb * 0x165667B19E3779F9UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public async Task<WorkloadCheck?> CheckAsync(WorkloadCheckContext context, CancellationToken cancel)
    {
        if (!_ready || context.Included is null || context.Composer is null) return null;
        (Wallet Wallet, ulong Nonce)[] sample = IncludedSample.Draw(context, DefaultSample, out int includedCount);
        List<(string Method, object?[] Params)> calls = IncludedSample.ReceiptCalls(context, sample, MaxCalldataLength);
        var mismatches = new List<LedgerMismatch>();
        for (int start = 0; start < calls.Count; start += 100)
        {
            IReadOnlyList<RpcBatchResult> receipts = await context.Nodes[0].CallBatchAsync(calls.GetRange(start, Math.Min(100, calls.Count - start)), cancel).ConfigureAwait(false);
            for (int i = 0; i < receipts.Count; i++)
            {
                JsonElement receipt = receipts[i].GetResultOrThrow();
                bool ok = receipt.ValueKind == JsonValueKind.Object && receipt.TryGetProperty("status", out JsonElement status) && status.GetString() == "0x1";
                if (!ok) mismatches.Add(new LedgerMismatch(sample[start + i].Wallet.Index, sample[start + i].Wallet.Address, BigInteger.One, BigInteger.Zero));
            }
        }
        return new WorkloadCheck
        {
            Name = "call",
            Checked = sample.Length,
            Wallets = context.Wallets.All.Length,
            IncludedTxs = includedCount,
            Mismatches = mismatches,
            Ops = [(WorkloadOp.Call, includedCount, BigInteger.Zero)],
        };
    }
}
