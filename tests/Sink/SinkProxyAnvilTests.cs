using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Sink;
using FastLoad.Engine.Transactions;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Sink;

/// <summary>
/// <c>fastload sink --upstream</c> in front of a real anvil: faults "after" forward first, so the tx lands although the
/// client saw a failure; faults "before" and injected tx errors never reach the node.
/// </summary>
public class SinkProxyAnvilTests
{
    private static readonly Address Recipient = Address.Parse("0x000000000000000000000000000000000000dEaD");

    /// <summary>Fresh senders funded with anvil_setBalance, one nonce-0 tx each (so no tx waits on another).</summary>
    private static async Task<(string Raw, string Hash)[]> FundedTxsAsync(AnvilNode node, string seed, int count)
    {
        var txs = new (string, string)[count];
        for (int i = 0; i < count; i++)
        {
            PrivateKey key = DeterministicKeys.Derive(seed, (ulong)i);
            await node.CallAsync("anvil_setBalance", key.Address.ToString(), "0xde0b6b3a7640000");   // 1 ETH
            var tx = new DynamicFeeTransaction
            {
                ChainId = AnvilNode.ChainId, Nonce = 0, MaxPriorityFeePerGas = 1_000_000_000, MaxFeePerGas = 30_000_000_000,
                GasLimit = 21_000, To = Recipient, Value = 1,
            };
            byte[] envelope = new byte[TransactionSigner.MaxSignedLength(tx)];
            byte[] hash = new byte[32];
            int length = TransactionSigner.Sign(tx, key, envelope, hash);
            txs[i] = (Hex.ToPrefixedString(envelope.AsSpan(0, length)), Hex.ToPrefixedString(hash));
        }
        return txs;
    }

    private static SinkServer Proxy(AnvilNode node, string spec) => SinkServer.Start(new SinkOptions
    {
        Address = IPAddress.Loopback, Port = 0, Upstream = node.Url, Faults = SinkFaultPlan.Parse(spec, seed: 3),
    });

    /// <summary>Waits (50 ms steps, at most 10 s) for the receipt anvil mines at once.</summary>
    private static async Task<JsonNode?> ReceiptAsync(AnvilNode node, string hash)
    {
        for (int i = 0; i < 200; i++)
        {
            JsonNode? receipt = await node.CallAsync("eth_getTransactionReceipt", hash);
            if (receipt is not null) return receipt;
            await Task.Delay(50);
        }
        return null;
    }

    [Fact]
    public async Task A_tx_forwarded_before_a_reset_lands_on_chain_although_the_client_saw_a_reset()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        (string raw, string hash) = (await FundedTxsAsync(node, "proxy-reset-after", 1))[0];
        await using SinkServer proxy = Proxy(node, "reset-after:100%");
        using var client = new RawHttpClient(proxy.Url);

        RawResponse response = await client.PostAsync(SinkTestTxs.SendRaw(1, raw));

        Assert.Equal(RawOutcome.Reset, response.Outcome);
        JsonNode? receipt = await ReceiptAsync(node, hash);
        Assert.NotNull(receipt);
        Assert.Equal("0x1", receipt!["status"]!.GetValue<string>());
        Assert.Equal(1, proxy.Faults!["reset-after"]);
    }

    [Fact]
    public async Task A_cut_or_id_less_reply_still_means_the_txs_landed()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        (string Raw, string Hash)[] txs = await FundedTxsAsync(node, "proxy-cut", 8);
        await using SinkServer cutProxy = Proxy(node, "cut:100%");
        await using SinkServer idProxy = Proxy(node, "missing-ids:100%");
        using var cutClient = new RawHttpClient(cutProxy.Url);
        using var idClient = new RawHttpClient(idProxy.Url);

        RawResponse cut = await cutClient.PostAsync("[" + string.Join(",", txs[..4].Select((t, i) => SinkTestTxs.SendRaw(i, t.Raw))) + "]");
        RawResponse missing = await idClient.PostAsync("[" + string.Join(",", txs[4..].Select((t, i) => SinkTestTxs.SendRaw(i, t.Raw))) + "]");

        Assert.Equal(RawOutcome.Cut, cut.Outcome);
        Assert.Equal(200, missing.Status);
        using JsonDocument reply = JsonDocument.Parse(missing.Body);
        Assert.InRange(reply.RootElement.GetArrayLength(), 0, 3);
        foreach ((string _, string hash) in txs) Assert.NotNull(await ReceiptAsync(node, hash));
    }

    [Fact]
    public async Task Faults_before_forwarding_never_reach_the_node()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        (string Raw, string Hash)[] txs = await FundedTxsAsync(node, "proxy-before", 3);
        await using SinkServer reset = Proxy(node, "reset-before:100%");
        await using SinkServer unavailable = Proxy(node, "503:100%");
        await using SinkServer limited = Proxy(node, "429:100%:retry-after=1");
        using var resetClient = new RawHttpClient(reset.Url);
        using var unavailableClient = new RawHttpClient(unavailable.Url);
        using var limitedClient = new RawHttpClient(limited.Url);

        Assert.Equal(RawOutcome.Reset, (await resetClient.PostAsync(SinkTestTxs.SendRaw(1, txs[0].Raw))).Outcome);
        Assert.Equal(503, (await unavailableClient.PostAsync(SinkTestTxs.SendRaw(1, txs[1].Raw))).Status);
        Assert.Equal(429, (await limitedClient.PostAsync(SinkTestTxs.SendRaw(1, txs[2].Raw))).Status);

        // The node never saw them: each is new to it when sent directly, and mined then.
        foreach ((string raw, string hash) in txs)
        {
            Assert.Null(await node.CallAsync("eth_getTransactionByHash", hash));
            Assert.Equal(hash, (await node.CallAsync("eth_sendRawTransaction", raw))!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Injected_tx_errors_are_not_forwarded_and_the_rest_of_the_batch_is()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        (string Raw, string Hash)[] txs = await FundedTxsAsync(node, "proxy-tx-error", 12);
        await using SinkServer proxy = Proxy(node, "tx-error:insufficient-funds:reth:50%");
        using var client = new RawHttpClient(proxy.Url);

        RawResponse response = await client.PostAsync("[" + string.Join(",", txs.Select((t, i) => SinkTestTxs.SendRaw(100 + i, t.Raw))) + "]");

        Assert.Equal(200, response.Status);
        using JsonDocument reply = JsonDocument.Parse(response.Body);
        JsonElement[] entries = [.. reply.RootElement.EnumerateArray()];
        Assert.Equal(Enumerable.Range(100, 12), entries.Select(e => e.GetProperty("id").GetInt32()));
        int injected = 0;
        for (int i = 0; i < txs.Length; i++)
        {
            if (entries[i].TryGetProperty("error", out JsonElement error))
            {
                injected++;
                Assert.Equal("insufficient funds for gas * price + value: have 0 want 21000000000000", error.GetProperty("message").GetString());
                Assert.Null(await node.CallAsync("eth_getTransactionByHash", txs[i].Hash));
            }
            else
            {
                Assert.Equal(txs[i].Hash, entries[i].GetProperty("result").GetString());   // anvil's own answer
                Assert.NotNull(await ReceiptAsync(node, txs[i].Hash));
            }
        }
        Assert.InRange(injected, 1, 11);   // seed 3 gives both kinds in this batch
        Assert.Equal(injected, proxy.Faults!["tx-error:insufficient-funds:reth"]);
        Assert.Equal(12 - injected, proxy.Counters.Accepted);
        Assert.Equal(injected, proxy.Counters.Rejected);
    }

    [Fact]
    public async Task Without_a_fault_the_proxy_answers_what_the_node_answers()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        await using SinkServer proxy = Proxy(node, "503:0%");
        using var client = new RawHttpClient(proxy.Url);
        RawResponse response = await client.PostAsync("""{"jsonrpc":"2.0","id":"a","method":"eth_chainId","params":[]}""");
        Assert.Equal(200, response.Status);
        using JsonDocument reply = JsonDocument.Parse(response.Body);
        Assert.Equal("a", reply.RootElement.GetProperty("id").GetString());
        Assert.Equal("0x7a69", reply.RootElement.GetProperty("result").GetString());
    }
}
