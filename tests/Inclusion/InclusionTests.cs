using System.Text.Json.Nodes;
using System.Collections.Concurrent;
using FastLoad.Engine.Inclusion;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Inclusion;

public class InclusionTrackerTests
{
    private static Hash256 RandomHash(Random random)
    {
        var bytes = new byte[32];
        random.NextBytes(bytes);
        return new Hash256(bytes);
    }

    [Fact]
    public void Matches_each_added_hash_once_and_nothing_else()
    {
        var random = new Random(7);
        var tracker = new InclusionTracker(capacity: 16); // forces growth
        Hash256[] ours = Enumerable.Range(0, 5000).Select(_ => RandomHash(random)).ToArray();
        string[] owners = Enumerable.Range(0, 10).Select(i => $"wallet {i}").ToArray();
        for (int i = 0; i < ours.Length; i++) tracker.Add(ours[i], token: i + 1, sentTicks: i * 10, owner: owners[i % 10]);
        Assert.False(tracker.TryMatch(RandomHash(random).Bytes, out _, out _));
        // Remove in a scrambled order: backward-shift deletion (and growth) must keep every other entry findable, with its owner.
        foreach (int i in Enumerable.Range(0, ours.Length).OrderBy(_ => random.Next()))
        {
            Assert.True(tracker.TryMatch(ours[i].Bytes, out long token, out long sent, out object? owner), $"hash {i} lost");
            Assert.Equal(i + 1, token);
            Assert.Equal(i * 10, sent);
            Assert.Same(owners[i % 10], owner);
            Assert.False(tracker.TryMatch(ours[i].Bytes, out _, out _));
        }
        Assert.Equal(0, tracker.Pending);
        Assert.Equal(5000, tracker.Included);
    }

    /// <summary>
    /// The same tx sent twice (a resync re-signs a nonce identically): the first send's answer lost, the second answered
    /// "already known" (or accepted). Whichever order the two reach the tracker, the tx is one accepted entry: matched
    /// once, counted as included, never as a lost answer that landed (the run's accepted count would hold it twice).
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_lost_answer_and_an_accepted_send_of_the_same_tx_count_once_as_accepted(bool lostFirst)
    {
        var tracker = new InclusionTracker();
        var hash = RandomHash(new Random(3));
        if (lostFirst)
        {
            tracker.Add(hash, token: 1, sentTicks: 10, ambiguous: true);
            Assert.Equal(1, tracker.PendingAmbiguous);
            tracker.Add(hash, token: 2, sentTicks: 20);
        }
        else
        {
            tracker.Add(hash, token: 2, sentTicks: 20);
            tracker.Add(hash, token: 1, sentTicks: 10, ambiguous: true);
        }
        Assert.Equal(1, tracker.Pending);
        Assert.Equal(0, tracker.PendingAmbiguous);
        Assert.True(tracker.TryMatch(hash.Bytes, out long token, out _));
        Assert.True(token > 0, "matched as a lost answer");
        Assert.Equal(1, tracker.Included);
        Assert.Equal(0, tracker.IncludedAmbiguous);
        Assert.Empty(tracker.TakeAmbiguous());
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(65_537)] // just past the default size
    public void Sized_for_a_runs_txs_it_holds_them_all_without_growing(int txs)
    {
        var random = new Random(txs);
        InclusionTracker tracker = InclusionTracker.ForRun(txs);
        int capacity = tracker.Capacity;
        for (int i = 0; i < txs; i++) tracker.Add(RandomHash(random), i + 1, 0);
        Assert.Equal(txs, tracker.Pending);
        Assert.Equal(0, tracker.Grows);
        Assert.Equal(capacity, tracker.Capacity);
        // The default size has to grow for the same txs (what the sized one saves).
        var unsized = new InclusionTracker(capacity: 16);
        for (int i = 0; i < txs; i++) unsized.Add(RandomHash(random), i + 1, 0);
        Assert.True(unsized.Grows > 0);
    }

    [Fact]
    public void Sized_for_more_txs_than_it_may_hold_it_stops_at_its_bound_without_growing()
    {
        InclusionTracker tracker = InclusionTracker.ForRun(50_000_000);
        Assert.Equal(2 * InclusionTracker.DefaultMaxPending, tracker.Capacity);
        Assert.Equal(1 << 17, InclusionTracker.ForRun(null).Capacity); // unknown: the default size
    }

    [Fact]
    public void Stops_tracking_at_its_bound_and_counts_the_rest()
    {
        var random = new Random(5);
        var tracker = new InclusionTracker(capacity: 16) { MaxPending = 100 };
        for (int i = 0; i < 150; i++) tracker.Add(RandomHash(random), i + 1, 0);
        Assert.Equal(100, tracker.Pending);
        Assert.Equal(50, tracker.Untracked);
    }

    [Fact]
    public void Adding_and_matching_allocate_nothing()
    {
        var random = new Random(3);
        var tracker = new InclusionTracker(capacity: 4096);
        Hash256[] hashes = Enumerable.Range(0, 1000).Select(_ => RandomHash(random)).ToArray();
        object owner = new();
        tracker.Add(hashes[0], 1, 0, owner);
        tracker.TryMatch(hashes[0].Bytes, out _, out _, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < hashes.Length; i++) tracker.Add(hashes[i], i + 1, i, owner);
        for (int i = 0; i < hashes.Length; i++) tracker.TryMatch(hashes[i].Bytes, out _, out _, out _);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

public class BlockWatcherAnvilTests
{
    [Theory]
    [InlineData("polling")]
    [InlineData("websocket")]
    [InlineData("websocket-refused")]
    public async Task Sees_every_block_once_and_finds_our_txs_in_them(string heads)
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        await using RpcClient client = await RpcClient.ConnectAsync(node.Url.ToString());
        var tracker = new InclusionTracker();
        var found = new ConcurrentBag<TxIncluded>();
        Uri? ws = heads switch
        {
            "websocket" => new UriBuilder(node.Url) { Scheme = "ws", Port = node.Url.Port }.Uri,
            "websocket-refused" => new Uri("ws://127.0.0.1:1/"), // nothing listens: falls back to polling
            _ => null,
        };
        var watcher = new BlockWatcher(client, tracker, TimeSpan.FromMilliseconds(100)) { OnIncluded = found.Add, WebSocketUrl = ws };
        using var stop = new CancellationTokenSource();
        Task watching = watcher.RunAsync(stop.Token);
        await Task.Delay(300);

        Assert.True(PrivateKey.TryParse(AnvilNode.DevKey, out PrivateKey key));
        var to = Address.Parse("0x000000000000000000000000000000000000dead");
        byte[] envelope = new byte[256], hash = new byte[32];
        var hashes = new Hash256[30];
        for (ulong nonce = 0; nonce < 30; nonce++)
        {
            var tx = new DynamicFeeTransaction { ChainId = AnvilNode.ChainId, Nonce = nonce, MaxFeePerGas = 10_000_000_000, MaxPriorityFeePerGas = 1_000_000_000, GasLimit = 21_000, To = to, Value = 1 };
            int length = TransactionSigner.Sign(tx, key, envelope, hash);
            hashes[nonce] = new Hash256(hash);
            tracker.Add(hashes[nonce], token: (long)nonce + 1, sentTicks: 0);
            await client.SendRawTransactionAsync(envelope.AsMemory(0, length));
            if (nonce % 10 == 9) await Task.Delay(1100); // spread over several blocks
        }
        for (int i = 0; i < 50 && tracker.Pending > 0; i++) await Task.Delay(100);
        await stop.CancelAsync();
        await watching;

        Assert.Equal(heads == "websocket" ? "websocket" : "polling", watcher.Mode);
        Assert.Equal(heads == "websocket-refused", watcher.WebSocketError is not null);
        Assert.Equal(0, tracker.Pending);
        Assert.Equal(Enumerable.Range(1, 30).Select(i => (long)i), found.Select(f => f.Token).Order());
        BlockSeen[] blocks = watcher.Blocks.ToArray();
        Assert.Equal(blocks.Length, watcher.BlockCount);
        Assert.Equal(blocks.Length, blocks.Select(b => b.Number).Distinct().Count()); // each block once
        Assert.Equal(blocks.Select(b => b.Number).Order(), blocks.Select(b => b.Number)); // in order, no gaps skipped
        Assert.Equal(blocks[^1].Number - blocks[0].Number + 1, (ulong)blocks.Length);
        Assert.Equal(30, blocks.Sum(b => b.OurTxCount));
        foreach (TxIncluded tx in found)
            Assert.Equal(blocks.Single(b => b.Number == tx.Block).SeenTicks, tx.SeenTicks);
        Assert.True(blocks.Count(b => b.OurTxCount > 0) >= 2); // the txs were spread over several blocks
        // Cross-check with the node: each of our txs' receipt names the block the watcher matched it in.
        foreach (TxIncluded tx in found)
        {
            var receipt = (await node.CallAsync("eth_getTransactionReceipt", hashes[tx.Token - 1].ToString()))!;
            Assert.Equal(tx.Block, Convert.ToUInt64(receipt["blockNumber"]!.GetValue<string>(), 16));
        }
    }
}

public class BlockWatcherLateAckTests
{
    [Fact]
    public async Task A_tx_whose_ack_is_read_after_its_block_was_seen_is_still_matched_to_that_block()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        await using RpcClient client = await RpcClient.ConnectAsync(node.Url.ToString());
        var tracker = new InclusionTracker();
        var found = new ConcurrentBag<TxIncluded>();
        var emitted = new ConcurrentQueue<BlockSeen>();
        var watcher = new BlockWatcher(client, tracker, TimeSpan.FromMilliseconds(100)) { OnIncluded = found.Add, OnBlock = emitted.Enqueue };
        using var stop = new CancellationTokenSource();
        Task watching = watcher.RunAsync(stop.Token);
        await Task.Delay(300);

        // Sent, mined and seen before the tracker hears of it (as when a batch's answer is read after the block).
        Assert.True(PrivateKey.TryParse(AnvilNode.DevKey, out PrivateKey key));
        var tx = new DynamicFeeTransaction { ChainId = AnvilNode.ChainId, Nonce = 0, MaxFeePerGas = 10_000_000_000, MaxPriorityFeePerGas = 1_000_000_000, GasLimit = 21_000, To = Address.Parse("0x000000000000000000000000000000000000dead"), Value = 1 };
        byte[] envelope = new byte[256], hash = new byte[32];
        int length = TransactionSigner.Sign(tx, key, envelope, hash);
        JsonNode receipt = await node.SendRawAndWaitAsync(Hex.ToPrefixedString(envelope.AsSpan(0, length)));
        ulong block = Convert.ToUInt64(receipt["blockNumber"]!.GetValue<string>(), 16);
        for (int i = 0; i < 50 && !watcher.Blocks.Any(b => b.Number == block); i++) await Task.Delay(50);
        Assert.Contains(watcher.Blocks, b => b.Number == block && b.OurTxCount == 0);

        tracker.Add(new Hash256(hash), token: 7, sentTicks: 1);
        for (int i = 0; i < 20 && found.IsEmpty; i++) await Task.Delay(50);
        await stop.CancelAsync();
        await watching;

        TxIncluded match = Assert.Single(found);
        Assert.Equal((7L, block), (match.Token, match.Block));
        BlockSeen seen = watcher.Blocks.Single(b => b.Number == block);
        Assert.Equal(seen.SeenTicks, match.SeenTicks); // the block's seen time, not the late ack's
        Assert.Equal(1, seen.OurTxCount);
        Assert.Equal(0, tracker.Pending);
        // OnBlock hands each block once, in order, with the final count.
        BlockSeen[] blocks = emitted.ToArray();
        Assert.Equal(watcher.Blocks.Select(b => b.Number), blocks.Select(b => b.Number));
        Assert.Equal(1, blocks.Single(b => b.Number == block).OurTxCount);
    }
}

public class BlockWatcherSilentHeadsTests
{
    /// <summary>
    /// A WebSocket endpoint that accepts the newHeads subscription and then says nothing more (as a misconfigured
    /// proxy or node might). Minimal RFC 6455: the upgrade, one masked client frame read, one text frame written.
    /// </summary>
    private static async Task ServeSilentSubscriptionAsync(System.Net.Sockets.TcpListener listener, CancellationToken stop)
    {
        using System.Net.Sockets.TcpClient client = await listener.AcceptTcpClientAsync(stop);
        System.Net.Sockets.NetworkStream stream = client.GetStream();
        var request = new System.Text.StringBuilder();
        var one = new byte[1];
        while (!request.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one, stop) == 1) request.Append((char)one[0]);
        string key = request.ToString().Split("\r\n").First(l => l.StartsWith("Sec-WebSocket-Key:", StringComparison.OrdinalIgnoreCase))["Sec-WebSocket-Key:".Length..].Trim();
        string accept = Convert.ToBase64String(System.Security.Cryptography.SHA1.HashData(System.Text.Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"), stop);
        var head = new byte[2];
        await stream.ReadExactlyAsync(head, stop);
        int length = head[1] & 0x7f;
        await stream.ReadExactlyAsync(new byte[4 + length], stop); // mask + the subscribe request
        byte[] reply = System.Text.Encoding.ASCII.GetBytes("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"0x1\"}");
        await stream.WriteAsync(new byte[] { 0x81, (byte)reply.Length }.Concat(reply).ToArray(), stop);
        await Task.Delay(Timeout.Infinite, stop);
    }

    [Fact]
    public async Task A_subscription_that_stays_silent_while_the_chain_moves_gives_way_to_polling()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        await using RpcClient client = await RpcClient.ConnectAsync(node.Url.ToString());
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var stop = new CancellationTokenSource();
        Task serving = ServeSilentSubscriptionAsync(listener, stop.Token);
        var watcher = new BlockWatcher(client, new InclusionTracker(), TimeSpan.FromMilliseconds(100))
        {
            WebSocketUrl = new Uri($"ws://127.0.0.1:{((System.Net.IPEndPoint)listener.LocalEndpoint).Port}/"),
            HeadsSilence = TimeSpan.FromSeconds(2),
        };
        Task watching = watcher.RunAsync(stop.Token);
        for (int i = 0; i < 40 && watcher.Mode != "websocket"; i++) await Task.Delay(50);
        Assert.Equal("websocket", watcher.Mode); // subscribed...
        for (int i = 0; i < 100 && watcher.Blocks.Count < 2; i++) await Task.Delay(100);
        await stop.CancelAsync();
        await watching;
        try { await serving; } catch (OperationCanceledException) { }
        listener.Stop();

        Assert.Equal("polling", watcher.Mode); // ...then given up on
        Assert.Contains("sent no newHeads", watcher.WebSocketError);
        BlockSeen[] blocks = watcher.Blocks.ToArray();
        Assert.True(blocks.Length >= 2, $"{blocks.Length} blocks seen");
        Assert.Equal(blocks[^1].Number - blocks[0].Number + 1, (ulong)blocks.Length); // none skipped
    }
}

public class BlockWatcherRetentionTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Keeps_only_the_recent_blocks_and_still_hands_on_and_counts_every_one(bool withOnBlock)
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--no-mining");
        await using RpcClient client = await RpcClient.ConnectAsync(node.Url.ToString());
        var emitted = new ConcurrentQueue<BlockSeen>();
        var watcher = new BlockWatcher(client, new InclusionTracker(), TimeSpan.FromMilliseconds(20))
        {
            RetainedBlocks = 8,
            OnBlock = withOnBlock ? emitted.Enqueue : null,
        };
        using var stop = new CancellationTokenSource();
        Task watching = watcher.RunAsync(stop.Token);
        // Mine single blocks until the watcher sees one: it is following then, and sees every block mined after.
        for (int i = 0; i < 400 && watcher.BlockCount == 0; i++)
        {
            if (i % 10 == 0) await node.CallAsync("anvil_mine", "0x1");
            await Task.Delay(25);
        }
        int before = watcher.BlockCount;
        ulong first = watcher.Blocks[0].Number;
        await node.CallAsync("anvil_mine", "0x96"); // 150 more at once
        for (int i = 0; i < 400 && watcher.BlockCount < before + 150; i++) await Task.Delay(25);
        await stop.CancelAsync();
        await watching;

        int total = before + 150;
        Assert.Equal(total, watcher.BlockCount);
        BlockSeen[] kept = watcher.Blocks.ToArray();
        Assert.Equal(Enumerable.Range(total - 8, 8).Select(i => first + (ulong)i), kept.Select(b => b.Number)); // the last 8 only
        if (withOnBlock)
            Assert.Equal(Enumerable.Range(0, total).Select(i => first + (ulong)i), emitted.Select(b => b.Number)); // every block handed on, in order
    }
}
