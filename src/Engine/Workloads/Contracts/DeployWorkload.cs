using System.Numerics;
using System.Text.Json;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Transactions;
using FastLoad.Engine.Wallets;
using FastLoad.Engine.Workloads.Setup;

namespace FastLoad.Engine.Workloads.Contracts;

/// <summary>
/// <c>deploy</c>: every tx creates a <c>LoadDeployed</c> (<c>contracts/LoadDeployed.sol</c>, 184 bytes of init code).
/// Set-up only estimates the creation's gas. After the run, each included creation's address (from its sender and
/// nonce, as the EVM derives it) must hold the contract's runtime code.
/// </summary>
public sealed class DeployWorkload : IWorkload
{
    public const string ContractName = "LoadDeployed";

    private static byte[]? _initCode;
    private ulong _gas;
    private bool _ready;

    /// <summary>The creation bytecode (contracts/build/LoadDeployed.bin).</summary>
    public static byte[] InitCode => _initCode ??= ContractSetup.Embedded("LoadDeployed");

    public string Spec => "deploy";

    public int MaxCalldataLength => InitCode.Length;

    public ulong MaxGasLimit => _gas;

    public UInt256 MaxValue => UInt256.Zero;

    public IReadOnlyList<DeployedContract> Contracts => [];

    public bool NeedsInclusions => true;

    public async Task SetupAsync(WorkloadSetup setup, CancellationToken cancel)
    {
        if (setup.TxType == TxType.SetCode)
            throw new RunSetupException("--workload deploy sends contract creations, which an EIP-7702 tx can't be: use --tx-type 1559, 2930 or legacy");
        RpcClient api = setup.Nodes[0];
        setup.Log.WorkloadSetupStart(Spec, api.Endpoint.Url);
        var call = new Dictionary<string, object?> { ["from"] = setup.Wallets.All[0].Address, ["data"] = Hex.ToPrefixedString(InitCode) };
        ulong estimate;
        try
        {
            estimate = FunderTxs.ParseQuantity(await api.CallAsync("eth_estimateGas", [call], cancel).ConfigureAwait(false), "eth_estimateGas");
        }
        catch (RpcException e)
        {
            throw new RunSetupException($"eth_estimateGas for a contract creation failed on {api.Endpoint.Url}: {e.RpcMessage}");
        }
        _gas = estimate + estimate / 4 + 10_000;
        _ready = true;
        setup.Log.WorkloadGasReady($"deploy {_gas:N0}");
    }

    /// <summary>Skips the set-up (benchmarks against a sink, which is no chain).</summary>
    public void UsePreset(ulong gasLimit = 200_000)
    {
        _gas = gasLimit;
        _ready = true;
    }

    public TxPlan NextTx(Wallet wallet, ulong nonce, Span<byte> calldata)
    {
        if (!_ready) throw new InvalidOperationException("the deploy workload was asked for a tx before its set-up ran");
        InitCode.CopyTo(calldata);
        return new TxPlan(WorkloadOp.Deploy, null, UInt256.Zero, InitCode.Length, _gas);
    }

    /// <summary>The address a contract created by <paramref name="sender"/> at <paramref name="nonce"/> gets: keccak256(rlp([sender, nonce]))[12..].</summary>
    public static Address CreatedAddress(in Address sender, ulong nonce)
    {
        Span<byte> rlp = stackalloc byte[1 + 21 + 9];
        int p = 1;
        rlp[p++] = 0x80 + Address.Size;
        sender.Bytes.CopyTo(rlp[p..]);
        p += Address.Size;
        if (nonce == 0)
        {
            rlp[p++] = 0x80;
        }
        else if (nonce < 0x80)
        {
            rlp[p++] = (byte)nonce;
        }
        else
        {
            int length = 8 - (System.Numerics.BitOperations.LeadingZeroCount(nonce) >> 3);
            rlp[p++] = (byte)(0x80 + length);
            for (int i = length - 1; i >= 0; i--) rlp[p++] = (byte)(nonce >> (8 * i));
        }
        rlp[0] = (byte)(0xc0 + p - 1);
        Span<byte> hash = stackalloc byte[32];
        Keccak256.Hash(rlp[..p], hash);
        return new Address(hash[12..]);
    }

    public async Task<WorkloadCheck?> CheckAsync(WorkloadCheckContext context, CancellationToken cancel)
    {
        if (!_ready || context.Included is null) return null;
        var created = new List<(Wallet Wallet, Address Address)>();
        foreach (Wallet w in context.Wallets.All)
            foreach (ulong nonce in context.Included.Of(w)) created.Add((w, CreatedAddress(w.Address, nonce)));
        int included = created.Count;
        if (context.Sample is int sample && sample < created.Count)
        {
            (Wallet, Address)[] all = created.ToArray();
            Random.Shared.Shuffle(all);
            created = [.. all[..sample]];
        }
        RpcClient api = context.Nodes[0];
        string block = context.AtBlock is ulong at ? RpcClient.Quantity(at) : "latest";
        var codes = new byte[created.Count][];
        for (int start = 0; start < created.Count; start += 200)
        {
            int n = Math.Min(200, created.Count - start);
            var batch = new List<(string Method, object?[] Params)>(n);
            for (int i = 0; i < n; i++) batch.Add(("eth_getCode", [created[start + i].Address, block]));
            IReadOnlyList<RpcBatchResult> answers = await api.CallBatchAsync(batch, cancel).ConfigureAwait(false);
            for (int i = 0; i < n; i++)
            {
                JsonElement code = answers[i].GetResultOrThrow();
                codes[start + i] = code.ValueKind == JsonValueKind.String && Hex.TryDecode(code.GetString()!, out byte[] bytes) ? bytes : [];
            }
        }
        // Every instance has the same runtime code: the most common code found is the contract's, and an address
        // without code, or with other code, is a mismatch (all of them when none has code).
        byte[] expected = codes.Where(c => c.Length > 0).GroupBy(Convert.ToHexString).OrderByDescending(g => g.Count()).FirstOrDefault()?.First() ?? [];
        var mismatches = new List<LedgerMismatch>();
        for (int i = 0; i < created.Count; i++)
        {
            if (expected.Length == 0 || !codes[i].AsSpan().SequenceEqual(expected))
                mismatches.Add(new LedgerMismatch(created[i].Wallet.Index, created[i].Address, new BigInteger(Math.Max(1, expected.Length)), new BigInteger(codes[i].Length)));
        }
        return new WorkloadCheck
        {
            Name = "deploy",
            Checked = created.Count,
            Wallets = context.Wallets.All.Length,
            IncludedTxs = included,
            Mismatches = mismatches,
            Ops = [(WorkloadOp.Deploy, included, BigInteger.Zero)],
        };
    }

}
