using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Inclusion;

/// <summary>A block as the watcher saw it, with the local monotonic time it was first seen.</summary>
public sealed record BlockSeen(ulong Number, string Hash, long SeenTicks, ulong Timestamp, int TxCount, ulong GasUsed, int OurTxCount);

/// <summary>One of our txs found in a block.</summary>
public readonly record struct TxIncluded(long Token, ulong Block, long SentTicks, long SeenTicks);

/// <summary>
/// Watches a node for new blocks by polling (<c>eth_blockNumber</c>, then each new block once with its tx
/// hashes) and matches their txs against an <see cref="InclusionTracker"/>. Every block is fetched exactly
/// once, in order, even when several arrive between two polls.
/// </summary>
public sealed class BlockWatcher(RpcClient node, InclusionTracker tracker, TimeSpan pollInterval)
{
    private readonly List<BlockSeen> _blocks = [];

    public IReadOnlyList<BlockSeen> Blocks
    {
        get { lock (_blocks) return _blocks.ToArray(); }
    }

    /// <summary>Called for each of our txs found in a block (on the watcher's task).</summary>
    public Action<TxIncluded>? OnIncluded { get; init; }

    /// <summary>Called for each block once it is matched (on the watcher's task).</summary>
    public Action<BlockSeen>? OnBlock { get; init; }

    /// <summary>Watches until cancelled, starting after the block that is current when called.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        ulong next = await node.GetBlockNumberAsync(stop).ConfigureAwait(false) + 1;
        while (!stop.IsCancellationRequested)
        {
            ulong head;
            try
            {
                head = await node.GetBlockNumberAsync(stop).ConfigureAwait(false);
                for (; next <= head && !stop.IsCancellationRequested; next++) await FetchAsync(next, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcTransportException or RpcException)
            {
                // The node hiccuped: try again at the next poll; no block is skipped since `next` did not move.
            }
            try
            {
                await Task.Delay(pollInterval, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Fetches and matches one block (also used to catch up after the run, during the grace period).</summary>
    public async Task FetchAsync(ulong number, CancellationToken stop)
    {
        JsonElement? block = await node.GetBlockByNumberAsync(number, fullTransactions: false, stop).ConfigureAwait(false);
        long seen = Stopwatch.GetTimestamp();
        if (block is not { ValueKind: JsonValueKind.Object } b) throw new RpcTransportException($"block {number} not available from {node.Endpoint.Url}");
        int ours = 0, count = 0;
        Bytes32 hash = default;
        foreach (JsonElement tx in b.GetProperty("transactions").EnumerateArray())
        {
            count++;
            if (!Hex.TryDecodeExact(tx.GetString(), hash)) continue;
            if (tracker.TryMatch(hash, out long token, out long sentTicks))
            {
                ours++;
                OnIncluded?.Invoke(new TxIncluded(token, number, sentTicks, seen));
            }
        }
        var info = new BlockSeen(number, b.GetProperty("hash").GetString() ?? "", seen, Quantity(b, "timestamp"), count, Quantity(b, "gasUsed"), ours);
        lock (_blocks) _blocks.Add(info);
        OnBlock?.Invoke(info);
    }

    private static ulong Quantity(JsonElement block, string name) =>
        block.TryGetProperty(name, out JsonElement value) && value.GetString() is string hex && hex.StartsWith("0x", StringComparison.Ordinal)
            ? ulong.Parse(hex.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : 0;
}
