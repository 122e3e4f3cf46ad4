using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Results;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Receipts;

/// <summary>What the receipts of the sampled txs said (data; the CLI formats it).</summary>
public sealed record ReceiptOutcome
{
    public required double Percent { get; init; }

    /// <summary>Included txs in the sample.</summary>
    public required long Sampled { get; init; }

    /// <summary>Receipts read.</summary>
    public required long Fetched { get; init; }

    public required long Success { get; init; }

    /// <summary>Included but reverted (status 0): an outcome of their own, not "included OK".</summary>
    public required long Reverted { get; init; }

    /// <summary>Sampled txs with no receipt read: the node had none, did not answer, or the time budget ran out.</summary>
    public long Missing => Sampled - Fetched;

    /// <summary>Sum of gasUsed over the fetched receipts.</summary>
    public required ulong GasUsed { get; init; }

    public IReadOnlyList<ReceiptRecord> Rows { get; init; } = [];
}

/// <summary>Reads the receipts of sampled included txs after the run (cold): JSON-RPC batches of 100, from the node whose watcher saw each tx's block.</summary>
public static class ReceiptFetcher
{
    public static async Task<ReceiptOutcome> FetchAsync(IReadOnlyList<RpcClient> nodes, ReceiptSample sample, TimeSpan budget, CancellationToken cancel)
    {
        List<(long Id, Hash256 Hash, byte Node)> txs = sample.Take();
        var rows = new List<ReceiptRecord>(txs.Count);
        long success = 0, reverted = 0;
        ulong gas = 0;
        var clock = Stopwatch.StartNew();
        foreach (IGrouping<byte, (long Id, Hash256 Hash, byte Node)> byNode in txs.GroupBy(t => t.Node))
        {
            List<(long Id, Hash256 Hash, byte Node)> mine = byNode.ToList();
            for (int start = 0; start < mine.Count && clock.Elapsed < budget; start += 100)
            {
                List<(long Id, Hash256 Hash, byte Node)> slice = mine.GetRange(start, Math.Min(100, mine.Count - start));
                IReadOnlyList<RpcBatchResult> results;
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                    timeout.CancelAfter(TimeSpan.FromSeconds(10));
                    results = await nodes[byNode.Key].CallBatchAsync(slice.ConvertAll(t => ("eth_getTransactionReceipt", new object?[] { t.Hash })), timeout.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is RpcException or RpcTransportException or OperationCanceledException or IOException or System.Net.Sockets.SocketException)
                {
                    if (cancel.IsCancellationRequested) throw;
                    continue; // those are missing
                }
                for (int i = 0; i < results.Count && i < slice.Count; i++)
                {
                    if (!results[i].IsSuccess || results[i].Result is not { ValueKind: JsonValueKind.Object } receipt) continue;
                    if (!TryQuantity(receipt, "gasUsed", out ulong used) || !TryQuantity(receipt, "status", out ulong status)) continue;
                    rows.Add(new ReceiptRecord(slice[i].Id, used, status == 1));
                    gas += used;
                    if (status == 1) success++; else reverted++;
                }
            }
        }
        return new ReceiptOutcome
        {
            Percent = sample.Percent, Sampled = txs.Count + sample.Skipped, Fetched = rows.Count, Success = success, Reverted = reverted, GasUsed = gas, Rows = rows,
        };
    }

    private static bool TryQuantity(JsonElement receipt, string name, out ulong value)
    {
        value = 0;
        return receipt.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.String && e.GetString() is string text
            && text.StartsWith("0x", StringComparison.Ordinal) && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }
}
