using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;

namespace FastLoad.Engine.Inclusion;

/// <summary>A block as the watcher saw it, with the local monotonic time it was first seen.</summary>
public sealed record BlockSeen(ulong Number, string Hash, long SeenTicks, ulong Timestamp, int TxCount, ulong GasUsed, int OurTxCount);

/// <summary>One of our txs found in a block.</summary>
/// <summary>One of our txs seen in a block; <see cref="Owner"/> is what the tracker was given with it (e.g. the sending wallet).</summary>
public readonly record struct TxIncluded(long Token, ulong Block, long SentTicks, long SeenTicks, object? Owner = null, ulong Nonce = 0, Primitives.Hash256 Hash = default);

/// <summary>
/// Watches a node for new blocks and matches their txs against an <see cref="InclusionTracker"/>. Heads come from a
/// WebSocket <c>eth_subscribe("newHeads")</c> when <see cref="WebSocketUrl"/> is set and the node accepts it, else
/// (or once the socket drops) from polling <c>eth_blockNumber</c>. Either way each new block is then fetched once
/// over HTTP with its tx hashes, in order, even when several arrive at once; with WebSocket the seen time is when
/// the head notification arrived.
/// </summary>
public sealed class BlockWatcher(RpcClient node, InclusionTracker tracker, TimeSpan pollInterval)
{
    // Recent blocks only: those not yet handed to OnBlock (seen in the last few seconds, late acks may still add to
    // their counts) and the last RetainedBlocks after them. Every block goes to OnBlock (the results file) and into
    // the counts below, so a long run does not keep them all (at one block a second that was a list growing forever).
    private readonly List<BlockSeen> _blocks = [];
    private int _emitted; // index in _blocks of the first block not yet handed to OnBlock
    private int _blockCount; // blocks seen in all
    private ulong _next; // the next block to fetch

    // Block txs that matched nothing, kept for a few seconds: a tx can be mined before the node's answer to our
    // batch has been read (the node answers a batch only once all of it is in the pool), so its hash reaches the
    // tracker after its block was matched. Rechecked every 100 ms; fixed arrays, so nothing is allocated.
    private const int RecentCapacity = 1 << 16;
    private static readonly long RecentTicks = 3 * Stopwatch.Frequency;
    private readonly Hash256[] _recentHashes = new Hash256[RecentCapacity];
    private readonly ulong[] _recentBlocks = new ulong[RecentCapacity];
    private readonly long[] _recentSeen = new long[RecentCapacity];
    private long _recentStart, _recentEnd; // positions; index = position % capacity
    private readonly Lock _recentGate = new();

    /// <summary>
    /// The most recent blocks, in order: every block not yet handed to <see cref="OnBlock"/> and at least the last
    /// <see cref="RetainedBlocks"/> (all of them in a short run). A copy.
    /// </summary>
    public IReadOnlyList<BlockSeen> Blocks
    {
        get { lock (_blocks) return _blocks.ToArray(); }
    }

    /// <summary>How many blocks were seen so far, including those no longer in <see cref="Blocks"/>.</summary>
    public int BlockCount
    {
        get { lock (_blocks) return _blockCount; }
    }

    /// <summary>Blocks kept in <see cref="Blocks"/> once they have been handed on; older ones are let go.</summary>
    public int RetainedBlocks { get; init; } = 64;

    /// <summary>Called for each of our txs found in a block (on the watcher's task).</summary>
    public Action<TxIncluded>? OnIncluded { get; init; }

    /// <summary>Where to subscribe to newHeads (e.g. ws://host:port/ or wss://host/path); null = poll only.</summary>
    public Uri? WebSocketUrl { get; init; }

    /// <summary>Sent with the WebSocket upgrade request (e.g. the node's Authorization header).</summary>
    public IReadOnlyList<HttpHeader> WebSocketHeaders { get; init; } = [];

    /// <summary>How a <c>wss://</c> server's certificate is trusted (default: the system's store).</summary>
    public TlsOptions WebSocketTls { get; init; } = TlsOptions.SystemTrust;

    /// <summary>"websocket" while heads come from the subscription, "polling" otherwise.</summary>
    public string Mode { get; private set; } = "polling";

    /// <summary>Why the WebSocket was not used or was given up, if it was.</summary>
    public string? WebSocketError { get; private set; }

    /// <summary>
    /// Called for each block, in order, once its count of our txs is final: a few seconds after it was seen (late
    /// acks are matched until then), or when watching stops.
    /// </summary>
    public Action<BlockSeen>? OnBlock { get; init; }

    /// <summary>Called as soon as a new block has been fetched, with its number and the time it was first seen (the per-block shape's clock).</summary>
    public Action<ulong, long>? OnNewBlock { get; init; }

    /// <summary>Watches until cancelled, starting after the block that is current when called.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        _next = await node.GetBlockNumberAsync(stop).ConfigureAwait(false) + 1;
        Task rechecking = RecheckLoopAsync(stop);
        try
        {
            await FollowAsync(stop).ConfigureAwait(false);
        }
        finally
        {
            await rechecking.ConfigureAwait(false);
            RecheckRecent(); // acks read while stopping
            EmitBlocks(long.MaxValue);
        }
    }

    private async Task RecheckLoopAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(100, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            RecheckRecent();
            EmitBlocks(Stopwatch.GetTimestamp() - RecentTicks);
        }
    }

    /// <summary>
    /// Hands OnBlock every block seen before <paramref name="seenBefore"/> not handed yet (their counts are final),
    /// then lets go of handed blocks beyond the last <see cref="RetainedBlocks"/>.
    /// </summary>
    private void EmitBlocks(long seenBefore)
    {
        while (true)
        {
            BlockSeen block;
            lock (_blocks)
            {
                if (_emitted == _blocks.Count || _blocks[_emitted].SeenTicks >= seenBefore) break;
                block = _blocks[_emitted++];
            }
            OnBlock?.Invoke(block);
        }
        lock (_blocks)
        {
            int drop = Math.Min(_emitted, _blocks.Count - Math.Max(0, RetainedBlocks));
            if (drop <= 0) return;
            _blocks.RemoveRange(0, drop);
            _emitted -= drop;
        }
    }

    /// <summary>Matches the recent unmatched block txs again (their acks may have been read since).</summary>
    private void RecheckRecent()
    {
        lock (_recentGate)
        {
            long now = Stopwatch.GetTimestamp();
            while (_recentStart < _recentEnd && now - _recentSeen[_recentStart % RecentCapacity] > RecentTicks) _recentStart++;
            for (long p = _recentStart; p < _recentEnd; p++)
            {
                int i = (int)(p % RecentCapacity);
                if (_recentSeen[i] == 0) continue; // matched already
                if (tracker.TryMatch(_recentHashes[i].Bytes, out long token, out long sentTicks, out object? owner, out ulong nonce))
                {
                    OnIncluded?.Invoke(new TxIncluded(token, _recentBlocks[i], sentTicks, _recentSeen[i], owner, nonce, _recentHashes[i]));
                    _recentSeen[i] = 0;
                    OnLateMatch(_recentBlocks[i]);
                }
            }
        }
    }

    private void RememberUnmatched(ReadOnlySpan<byte> hash, ulong block, long seen)
    {
        lock (_recentGate)
        {
            if (_recentEnd - _recentStart == RecentCapacity) _recentStart++; // full: forget the oldest
            int i = (int)(_recentEnd % RecentCapacity);
            _recentHashes[i] = new Hash256(hash);
            _recentBlocks[i] = block;
            _recentSeen[i] = seen;
            _recentEnd++;
        }
    }

    /// <summary>A late match adds to its block's count of our txs.</summary>
    private void OnLateMatch(ulong number)
    {
        lock (_blocks)
        {
            for (int i = _blocks.Count - 1; i >= 0; i--)
            {
                if (_blocks[i].Number != number) continue;
                _blocks[i] = _blocks[i] with { OurTxCount = _blocks[i].OurTxCount + 1 };
                return;
            }
        }
    }

    private async Task FollowAsync(CancellationToken stop)
    {
        if (WebSocketUrl is not null)
        {
            try
            {
                await FollowHeadsAsync(WebSocketUrl, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or RpcTransportException or RpcException or JsonException or IOException or InvalidOperationException)
            {
                if (stop.IsCancellationRequested) return;
                WebSocketError = Describe(e);
            }
            Mode = "polling";
        }
        while (!stop.IsCancellationRequested)
        {
            ulong head;
            try
            {
                head = await node.GetBlockNumberAsync(stop).ConfigureAwait(false);
                for (; _next <= head && !stop.IsCancellationRequested; _next++) await FetchAsync(_next, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RpcTransportException or RpcException)
            {
                // The node hiccuped: try again at the next poll; no block is skipped since `_next` did not move.
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

    /// <summary>Why the heads socket failed, in one line: a refused certificate says so (the socket's own message does not).</summary>
    internal static string Describe(Exception e)
    {
        Exception innermost = e;
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
        {
            if (inner is System.Security.Authentication.AuthenticationException)
                return "TLS handshake refused (its certificate is not trusted, or is for another host name) — pass --ca-cert FILE with the CA that signed it, or --insecure (test endpoints only)";
            innermost = inner;
        }
        return innermost == e ? e.Message : $"{e.Message} ({innermost.Message})";
    }

    /// <summary>
    /// Subscribes to newHeads and fetches every block up to each announced head. Returns only when cancelled;
    /// throws if the node refuses the subscription or the socket fails (polling then carries on from <see cref="_next"/>).
    /// </summary>
    private async Task FollowHeadsAsync(Uri url, CancellationToken stop)
    {
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        foreach (HttpHeader header in WebSocketHeaders) socket.Options.SetRequestHeader(header.Name, header.Value);
        if (url.Scheme == "wss") socket.Options.RemoteCertificateValidationCallback = WebSocketTls.Callback();
        using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(stop))
        {
            connectTimeout.CancelAfter(TimeSpan.FromSeconds(3));
            await socket.ConnectAsync(url, connectTimeout.Token).ConfigureAwait(false);
        }
        await socket.SendAsync("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"eth_subscribe\",\"params\":[\"newHeads\"]}"u8.ToArray(),
            System.Net.WebSockets.WebSocketMessageType.Text, endOfMessage: true, stop).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        bool subscribed = false;
        while (!stop.IsCancellationRequested)
        {
            buffer.SetLength(0);
            System.Net.WebSockets.WebSocketReceiveResult received;
            do
            {
                received = await ReceiveOrCheckAsync(socket, chunk, url, stop).ConfigureAwait(false);
                if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                    throw new IOException($"{url} closed the WebSocket ({received.CloseStatusDescription})");
                buffer.Write(chunk, 0, received.Count);
            }
            while (!received.EndOfMessage);
            long seen = Stopwatch.GetTimestamp();
            using JsonDocument message = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            JsonElement root = message.RootElement;
            if (!subscribed)
            {
                if (root.TryGetProperty("error", out JsonElement error))
                    throw new RpcException(error.TryGetProperty("code", out JsonElement c) ? c.GetInt32() : 0, error.TryGetProperty("message", out JsonElement m) ? m.GetString() ?? "" : "");
                if (!root.TryGetProperty("result", out _)) continue;
                subscribed = true;
                Mode = "websocket";
                continue;
            }
            if (!root.TryGetProperty("params", out JsonElement p) || !p.TryGetProperty("result", out JsonElement head)) continue;
            ulong number = Quantity(head, "number");
            for (; _next <= number && !stop.IsCancellationRequested; _next++) await FetchAsync(_next, stop, _next == number ? seen : null).ConfigureAwait(false);
        }
    }

    /// <summary>How long the socket may stay silent before the watcher asks the node whether blocks are coming.</summary>
    public TimeSpan HeadsSilence { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The next WebSocket message. While none comes, checks the head over HTTP every <see cref="HeadsSilence"/>: a
    /// node that accepted the subscription but sends no heads while its chain moves is given up on (polling takes over).
    /// </summary>
    private async Task<System.Net.WebSockets.WebSocketReceiveResult> ReceiveOrCheckAsync(
        System.Net.WebSockets.ClientWebSocket socket, byte[] chunk, Uri url, CancellationToken stop)
    {
        Task<System.Net.WebSockets.WebSocketReceiveResult> receive = socket.ReceiveAsync(chunk, stop);
        while (true)
        {
            Task done = await Task.WhenAny(receive, Task.Delay(HeadsSilence, stop)).ConfigureAwait(false);
            if (done == receive) return await receive.ConfigureAwait(false);
            stop.ThrowIfCancellationRequested();
            ulong head = await node.GetBlockNumberAsync(stop).ConfigureAwait(false);
            if (head >= _next) throw new IOException($"{url} sent no newHeads for {HeadsSilence.TotalSeconds:N0} s while the chain reached block {head}");
        }
    }

    /// <summary>Fetches and matches one block (also used to catch up after the run, during the grace period).</summary>
    public async Task FetchAsync(ulong number, CancellationToken stop, long? seenTicks = null)
    {
        FetchedBlock? block = await node.CallAsync("eth_getBlockByNumber", [RpcClient.Quantity(number), false], ReadBlock, stop).ConfigureAwait(false);
        long seen = seenTicks ?? Stopwatch.GetTimestamp();
        if (block is null) throw new RpcTransportException($"block {number} not available from {node.Endpoint.Url}");
        int ours = 0;
        try
        {
            for (int i = 0; i < block.Hashes; i++)
            {
                ReadOnlySpan<byte> hash = block.TxHashes[i].Bytes;
                if (tracker.TryMatch(hash, out long token, out long sentTicks, out object? owner, out ulong nonce))
                {
                    ours++;
                    OnIncluded?.Invoke(new TxIncluded(token, number, sentTicks, seen, owner, nonce, block.TxHashes[i]));
                }
                else
                {
                    RememberUnmatched(hash, number, seen);
                }
            }
        }
        finally
        {
            System.Buffers.ArrayPool<Hash256>.Shared.Return(block.TxHashes);
        }
        var info = new BlockSeen(number, block.Hash, seen, block.Timestamp, block.TxCount, block.GasUsed, ours);
        lock (_blocks)
        {
            _blocks.Add(info);
            _blockCount++;
        }
        OnNewBlock?.Invoke(number, seen);
    }

    /// <summary>What <see cref="FetchAsync"/> needs of a block; the tx hashes are in a pooled array (the first <see cref="Hashes"/>).</summary>
    private sealed record FetchedBlock(string Hash, ulong Timestamp, ulong GasUsed, int TxCount, Hash256[] TxHashes, int Hashes);

    /// <summary>
    /// Reads a block in the connection's buffer: a block of thousands of txs is no longer copied (~150 KB onto the
    /// large object heap each time), nor a string made per tx hash. Null when the node has no such block.
    /// </summary>
    private static FetchedBlock? ReadBlock(JsonElement block)
    {
        if (block.ValueKind != JsonValueKind.Object) return null;
        JsonElement txs = block.GetProperty("transactions");
        int count = txs.GetArrayLength(), valid = 0;
        Hash256[] hashes = System.Buffers.ArrayPool<Hash256>.Shared.Rent(Math.Max(1, count));
        Span<byte> hash = stackalloc byte[32];
        foreach (JsonElement tx in txs.EnumerateArray())
            if (TryReadHash(tx, hash)) hashes[valid++] = new Hash256(hash);
        return new FetchedBlock(block.GetProperty("hash").GetString() ?? "", Quantity(block, "timestamp"), Quantity(block, "gasUsed"), count, hashes, valid);
    }

    /// <summary>A tx hash from the block's list, decoded from the JSON bytes in place (no string per hash).</summary>
    private static bool TryReadHash(JsonElement tx, Span<byte> hash)
    {
        if (tx.ValueKind != JsonValueKind.String) return false;
        ReadOnlySpan<byte> quoted = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(tx); // "0x…", quotes included
        return quoted.Length == 2 + 2 + 2 * 32 && Hex.TryDecodeUtf8(quoted[1..^1], hash) == 32;
    }

    private static ulong Quantity(JsonElement block, string name) =>
        block.TryGetProperty(name, out JsonElement value) && value.GetString() is string hex && hex.StartsWith("0x", StringComparison.Ordinal)
            ? ulong.Parse(hex.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : 0;
}
