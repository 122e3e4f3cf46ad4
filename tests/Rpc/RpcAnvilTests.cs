using System.Buffers;
using System.Text;
using System.Text.Json;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Transactions;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Rpc;

/// <summary>The transport, the response reader, the classifier and <see cref="RpcClient"/> against a real anvil.</summary>
public class RpcAnvilTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly Address Recipient = Address.Parse("0x000000000000000000000000000000000000dEaD");

    private static PrivateKey DevKey()
    {
        Assert.True(PrivateKey.TryParse(AnvilNode.DevKey, out PrivateKey key));
        return key;
    }

    private static (string Raw, string Hash) Sign(in PrivateKey key, ulong nonce, ulong value = 1, ulong maxFee = 30_000_000_000, ulong tip = 1_000_000_000)
    {
        var tx = new DynamicFeeTransaction
        {
            ChainId = AnvilNode.ChainId, Nonce = nonce, MaxPriorityFeePerGas = tip, MaxFeePerGas = maxFee,
            GasLimit = 21_000, To = Recipient, Value = value,
        };
        byte[] envelope = new byte[TransactionSigner.MaxSignedLength(tx)];
        byte[] hash = new byte[32];
        int length = TransactionSigner.Sign(tx, key, envelope, hash);
        return (Hex.ToPrefixedString(envelope.AsSpan(0, length)), Hex.ToPrefixedString(hash));
    }

    private static string SendRawCall(long id, string raw) =>
        $$"""{"jsonrpc":"2.0","id":{{id}},"method":"eth_sendRawTransaction","params":["{{raw}}"]}""";

    /// <summary>Entry as read by <see cref="JsonRpcResponseReader"/> and classified.</summary>
    private sealed record Entry(long Id, string? Result, int Code, string? Message, TxOutcome Outcome);

    private struct EntrySink : IRpcEntrySink
    {
        public List<Entry> Entries;

        public void OnResult(long id, ReadOnlySpan<byte> resultRaw) =>
            Entries.Add(new Entry(id, Encoding.UTF8.GetString(resultRaw), 0, null, TxOutcome.Accepted));

        public void OnError(long id, int code, ReadOnlySpan<byte> message) =>
            Entries.Add(new Entry(id, null, code, Encoding.UTF8.GetString(message), ErrorClassifier.Classify(code, message)));
    }

    private static List<Entry> ReadEntries(RecordingHandler.Event e)
    {
        Assert.True(e.IsResponse, e.FailureMessage);
        Assert.Equal(200, e.Status);
        var sink = new EntrySink { Entries = [] };
        Assert.True(JsonRpcResponseReader.TryRead(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(e.Body!)), ref sink), e.Body);
        return sink.Entries;
    }

    [Fact]
    public async Task Anvil_accepts_a_batch_of_50_raw_transactions_and_each_error_is_classified()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--no-mining");
        PrivateKey key = DevKey();
        var endpoint = RpcEndpoint.Parse(node.Url.ToString());
        await using PipelinedHttpConnection connection = await PipelinedHttpConnection.ConnectAsync(endpoint, 16, Timeout, CancellationToken.None);
        var handler = new RecordingHandler();

        // 1. Nonces 0..49 as one JSON-RPC batch.
        var txs = Enumerable.Range(0, 50).Select(n => Sign(key, (ulong)n)).ToArray();
        string batch = "[" + string.Join(",", txs.Select((tx, i) => SendRawCall(1000 + i, tx.Raw))) + "]";
        await connection.SendAsync(Encoding.UTF8.GetBytes(batch), handler, "batch", CancellationToken.None);
        List<Entry> accepted = ReadEntries((await handler.WaitForAsync(1))[0]);
        Assert.Equal(50, accepted.Count);
        Assert.Equal(Enumerable.Range(1000, 50).Select(i => (long)i), accepted.Select(e => e.Id).Order());
        foreach (Entry entry in accepted)
        {
            Assert.Equal(TxOutcome.Accepted, entry.Outcome);
            Assert.Equal(txs[entry.Id - 1000].Hash, entry.Result);
        }

        // 2. Pipelined single calls, each answered in order on the same connection.
        PrivateKey unfunded = DeterministicKeys.Derive("rpc-anvil-unfunded", 0);
        (string Label, string Raw)[] probes =
        [
            ("resend #7", txs[7].Raw),
            ("nonce far ahead", Sign(key, 1000).Raw),
            ("unfunded sender", Sign(unfunded, 0).Raw),
            ("same nonce as #3, same fees", Sign(key, 3, value: 2).Raw),
            ("max fee below base fee", Sign(key, 50, maxFee: 2, tip: 1).Raw),
        ];
        for (int i = 0; i < probes.Length; i++)
            await connection.SendAsync(Encoding.UTF8.GetBytes(SendRawCall(i, probes[i].Raw)), handler, probes[i].Label, CancellationToken.None);
        IReadOnlyList<RecordingHandler.Event> events = await handler.WaitForAsync(1 + probes.Length);
        Dictionary<string, Entry> byLabel = events.Skip(1).ToDictionary(e => (string)e.State!, e => Assert.Single(ReadEntries(e)));
        Assert.Equal(new[] { "resend #7", "nonce far ahead", "unfunded sender", "same nonce as #3, same fees", "max fee below base fee" },
            events.Skip(1).Select(e => (string)e.State!));

        // What anvil 1.7.1 answers (code -32003 "transaction rejected" for all of them):
        Assert.Equal(("transaction already imported", TxOutcome.AlreadyKnown), (byLabel["resend #7"].Message, byLabel["resend #7"].Outcome));
        Assert.Equal(TxOutcome.Accepted, byLabel["nonce far ahead"].Outcome); // anvil queues a nonce gap instead of rejecting it
        Assert.Equal(("Insufficient funds for gas * price + value", TxOutcome.InsufficientFunds),
            (byLabel["unfunded sender"].Message, byLabel["unfunded sender"].Outcome));
        Assert.Equal(("replacement transaction underpriced", TxOutcome.Underpriced),
            (byLabel["same nonce as #3, same fees"].Message, byLabel["same nonce as #3, same fees"].Outcome));
        Assert.Equal(("max fee per gas less than block base fee", TxOutcome.Underpriced),
            (byLabel["max fee below base fee"].Message, byLabel["max fee below base fee"].Outcome));
        Assert.All(byLabel.Values.Where(e => e.Result is null), e => Assert.Equal(-32003, e.Code));

        // 3. Mine the pool, then the same tx again: its nonce is used now.
        await using RpcClient client = await RpcClient.ConnectAsync(node.Url.ToString());
        await client.CallAsync("evm_mine");
        Assert.Equal(50ul, await client.GetTransactionCountAsync(key.Address, "latest"));
        await connection.SendAsync(Encoding.UTF8.GetBytes(SendRawCall(99, txs[7].Raw)), handler, "after mining", CancellationToken.None);
        Entry late = Assert.Single(ReadEntries((await handler.WaitForAsync(2 + probes.Length))[^1]));
        Assert.Equal(("nonce too low", TxOutcome.NonceTooLow), (late.Message, late.Outcome));
        Assert.False(connection.IsFaulted);
    }

    /// <summary>anvil mines each tx at once, but the receipt can lag the send by a moment.</summary>
    private static async Task<JsonElement> WaitForReceiptAsync(RpcClient client, Hash256 hash)
    {
        for (int i = 0; i < 100; i++)
        {
            if (await client.GetTransactionReceiptAsync(hash) is JsonElement receipt) return receipt;
            await Task.Delay(50);
        }
        throw new Xunit.Sdk.XunitException($"no receipt for {hash} after 5 s");
    }

    [Fact]
    public async Task RpcClient_reads_chain_id_nonces_fees_blocks_and_receipts_from_anvil()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        PrivateKey key = DevKey();
        await using RpcClient client = await RpcClient.ConnectAsync(node.Url.ToString());

        Assert.Equal(AnvilNode.ChainId, await client.GetChainIdAsync());
        Assert.Equal(0ul, await client.GetTransactionCountAsync(key.Address));
        Assert.True(await client.GetGasPriceAsync() > UInt256.Zero);
        Assert.True(await client.GetMaxPriorityFeePerGasAsync() > UInt256.Zero);
        Assert.Equal(UInt256.Parse("10000000000000000000000"), await client.GetBalanceAsync(key.Address));

        (string raw, string hash) = Sign(key, 0, value: 12345);
        Hash256 sent = await client.SendRawTransactionAsync(Hex.Decode(raw));
        Assert.Equal(hash, sent.ToString());
        Assert.Equal(1ul, await client.GetTransactionCountAsync(key.Address, "pending"));

        JsonElement receipt = await WaitForReceiptAsync(client, sent);
        Assert.Equal("0x1", receipt.GetProperty("status").GetString());
        ulong blockNumber = await client.GetBlockNumberAsync();
        Assert.Equal(1ul, blockNumber);
        JsonElement block = (await client.GetBlockByNumberAsync()) ?? throw new Xunit.Sdk.XunitException("no latest block");
        Assert.Equal("0x1", block.GetProperty("number").GetString());
        Assert.Equal(hash, block.GetProperty("transactions")[0].GetString());
        Assert.Null(await client.GetBlockByNumberAsync(1000));
        Assert.Equal(new UInt256(12345), await client.GetBalanceAsync(Recipient));

        RpcException error = await Assert.ThrowsAsync<RpcException>(() => client.SendRawTransactionAsync(new byte[] { 0x12, 0x34 }));
        Assert.Equal(-32602, error.Code);
        Assert.Equal("Failed to decode transaction", error.RpcMessage);
    }

    [Fact]
    public async Task RpcClient_reads_a_result_in_place_and_reports_errors_as_a_copied_answer_would()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        await using RpcClient client = await RpcClient.ConnectAsync(node.Url.ToString());

        // The reader sees the result while it is still in the connection's buffer and returns what it made of it.
        (string? hash, int txs) = await client.CallAsync("eth_getBlockByNumber", ["0x0", false],
            block => (block.GetProperty("hash").GetString(), block.GetProperty("transactions").GetArrayLength()), CancellationToken.None);
        JsonElement copied = (await client.GetBlockByNumberAsync(0)) ?? throw new Xunit.Sdk.XunitException("no block 0");
        Assert.Equal(copied.GetProperty("hash").GetString(), hash);
        Assert.Equal(0, txs);
        // A null result (no such block) reaches the reader too.
        Assert.Equal(JsonValueKind.Null, await client.CallAsync("eth_getBlockByNumber", ["0x3e8", false], r => r.ValueKind, CancellationToken.None));
        // A JSON-RPC error throws as from CallAsync, without calling the reader; what the reader throws comes back here.
        RpcException error = await Assert.ThrowsAsync<RpcException>(() => client.CallAsync<int>("eth_noSuchMethod", [], _ => throw new InvalidOperationException("reader called"), CancellationToken.None));
        Assert.Equal(-32601, error.Code);
        InvalidOperationException thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => client.CallAsync<int>("eth_chainId", [], _ => throw new InvalidOperationException("from the reader"), CancellationToken.None));
        Assert.Equal("from the reader", thrown.Message);
        Assert.Equal(AnvilNode.ChainId, await client.GetChainIdAsync()); // the connection is still fine
    }

    [Fact]
    public async Task RpcClient_batch_funds_wallets_and_reports_each_entry()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        PrivateKey key = DevKey();
        await using RpcClient client = await RpcClient.ConnectAsync(node.Url.ToString());

        PrivateKey[] wallets = Enumerable.Range(0, 5).Select(i => DeterministicKeys.Derive("rpc-batch-funding", (ulong)i)).ToArray();
        var funding = new List<(string Method, object?[] Params)>();
        for (int i = 0; i < wallets.Length; i++)
        {
            var tx = new DynamicFeeTransaction
            {
                ChainId = AnvilNode.ChainId, Nonce = (ulong)i, MaxPriorityFeePerGas = 1_000_000_000, MaxFeePerGas = 30_000_000_000,
                GasLimit = 21_000, To = wallets[i].Address, Value = 1_000_000_000_000_000_000,
            };
            byte[] envelope = new byte[TransactionSigner.MaxSignedLength(tx)];
            int length = TransactionSigner.Sign(tx, key, envelope, new byte[32]);
            funding.Add(("eth_sendRawTransaction", [envelope[..length]]));
        }
        IReadOnlyList<RpcBatchResult> sent = await client.CallBatchAsync(funding);
        Assert.Equal(5, sent.Count);
        Assert.All(sent, r => Assert.True(r.IsSuccess, r.Error?.Message));
        foreach (RpcBatchResult r in sent) await WaitForReceiptAsync(client, Hash256.Parse(r.Result.GetString()!));

        IReadOnlyList<RpcBatchResult> checks = await client.CallBatchAsync(
        [
            ("eth_chainId", []),
            .. wallets.Select(w => ("eth_getBalance", new object?[] { w.Address, "latest" })),
            ("eth_noSuchMethod", []),
        ]);
        Assert.Equal("0x7a69", checks[0].GetResultOrThrow().GetString());
        for (int i = 1; i <= wallets.Length; i++) Assert.Equal("0xde0b6b3a7640000", checks[i].GetResultOrThrow().GetString());
        RpcException missing = checks[^1].Error ?? throw new Xunit.Sdk.XunitException("eth_noSuchMethod succeeded");
        Assert.Equal(-32601, missing.Code);
    }
}
