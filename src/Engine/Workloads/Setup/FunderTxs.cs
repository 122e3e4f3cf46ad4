using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;

namespace FastLoad.Engine.Workloads.Setup;

/// <summary>
/// Set-up txs from the funder (cold path): deploys and calls, signed as EIP-1559 with the run's fees, sent in nonce
/// order, each estimated first (<c>eth_estimateGas</c>, +25 %) and checked by its receipt; plus read-only calls.
/// </summary>
public sealed class FunderTxs(RpcClient api, PrivateKey funder, ulong chainId, GasPricing gas)
{
    private static readonly TimeSpan ReceiptTimeout = TimeSpan.FromSeconds(120);
    private readonly List<(Hash256 Hash, string What)> _sent = [];
    private ulong? _nonce;

    public Address Address => funder.Address;

    public RpcClient Api => api;

    /// <summary>Sends a tx (contract creation when <paramref name="to"/> is null) and returns its hash without waiting.</summary>
    public async Task<Hash256> SendAsync(Address? to, byte[] data, string what, CancellationToken cancel)
    {
        ulong estimate = await EstimateAsync(funder.Address, to, data, what, cancel).ConfigureAwait(false);
        _nonce ??= await api.GetTransactionCountAsync(funder.Address, "pending", cancel).ConfigureAwait(false);
        var tx = new DynamicFeeTransaction
        {
            ChainId = chainId, Nonce = _nonce.Value, MaxFeePerGas = gas.MaxFeePerGas, MaxPriorityFeePerGas = gas.MaxPriorityFeePerGas,
            GasLimit = estimate + estimate / 4, To = to, Value = 0, Data = data,
        };
        byte[] envelope = new byte[TransactionSigner.MaxSignedLength(tx)];
        byte[] hash = new byte[32];
        int length = TransactionSigner.Sign(tx, funder, envelope, hash);
        Hash256 sent;
        try
        {
            sent = await api.SendRawTransactionAsync(envelope.AsMemory(0, length), cancel).ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw new RunSetupException($"set-up tx ({what}) refused by {api.Endpoint.Url}: {e.RpcMessage}");
        }
        _nonce++;
        _sent.Add((sent, what));
        return sent;
    }

    /// <summary>Waits for every tx sent so far and checks each succeeded; returns the receipts in the order sent.</summary>
    public async Task<IReadOnlyList<JsonElement>> WaitAllAsync(CancellationToken cancel)
    {
        var receipts = new List<JsonElement>(_sent.Count);
        var clock = Stopwatch.StartNew();
        foreach ((Hash256 hash, string what) in _sent)
        {
            JsonElement? receipt = await api.WaitForReceiptAsync(hash, clock, ReceiptTimeout, cancel).ConfigureAwait(false);
            if (receipt is not { } r)
                throw new RunSetupException($"set-up tx ({what}, {hash}) was not included within {ReceiptTimeout.TotalSeconds:N0} s on {api.Endpoint.Url}: is the node producing blocks?");
            if (!r.TryGetProperty("status", out JsonElement status) || status.GetString() != "0x1")
                throw new RunSetupException($"set-up tx ({what}, {hash}) reverted on {api.Endpoint.Url}: check the node's logs");
            receipts.Add(r);
        }
        _sent.Clear();
        return receipts;
    }

    /// <summary><c>eth_estimateGas</c> for a call from <paramref name="from"/>; a revert is a one-line set-up error.</summary>
    public async Task<ulong> EstimateAsync(Address from, Address? to, byte[] data, string what, CancellationToken cancel)
    {
        var call = new Dictionary<string, object?> { ["from"] = from, ["data"] = Hex.ToPrefixedString(data) };
        if (to is Address target) call["to"] = target;
        try
        {
            JsonElement result = await api.CallAsync("eth_estimateGas", [call], cancel).ConfigureAwait(false);
            return ParseQuantity(result, "eth_estimateGas");
        }
        catch (RpcException e)
        {
            throw new RunSetupException($"eth_estimateGas for {what} failed on {api.Endpoint.Url}: {e.RpcMessage}");
        }
    }

    /// <summary><c>eth_call</c> of many read-only calls to <paramref name="to"/> in JSON-RPC batches of 200; returns each result's bytes.</summary>
    public static async Task<byte[][]> CallManyAsync(RpcClient api, Address to, IReadOnlyList<byte[]> calls, CancellationToken cancel, string block = "latest")
    {
        var results = new byte[calls.Count][];
        for (int start = 0; start < calls.Count; start += 200)
        {
            int n = Math.Min(200, calls.Count - start);
            var batch = new List<(string Method, object?[] Params)>(n);
            for (int i = 0; i < n; i++)
                batch.Add(("eth_call", [new Dictionary<string, object?> { ["to"] = to, ["data"] = Hex.ToPrefixedString(calls[start + i]) }, block]));
            IReadOnlyList<RpcBatchResult> answers = await api.CallBatchAsync(batch, cancel).ConfigureAwait(false);
            for (int i = 0; i < n; i++)
            {
                JsonElement result = answers[i].GetResultOrThrow();
                results[start + i] = result.ValueKind == JsonValueKind.String && Hex.TryDecode(result.GetString()!, out byte[] bytes) ? bytes
                    : throw new RunSetupException($"eth_call on {api.Endpoint.Url} answered {result}, not 0x-hex bytes");
            }
        }
        return results;
    }

    /// <summary>True when <paramref name="address"/> holds code on <paramref name="api"/>'s chain.</summary>
    public static async Task<bool> HasCodeAsync(RpcClient api, Address address, CancellationToken cancel)
    {
        JsonElement code = await api.CallAsync("eth_getCode", [address, "latest"], cancel).ConfigureAwait(false);
        return code.ValueKind == JsonValueKind.String && code.GetString() is { Length: > 2 } text && text != "0x0";
    }

    internal static ulong ParseQuantity(JsonElement result, string method) =>
        result.ValueKind == JsonValueKind.String && result.GetString() is string text && text.StartsWith("0x", StringComparison.Ordinal)
        && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value)
            ? value
            : throw new RunSetupException($"{method} answered {result}, not a quantity");
}
