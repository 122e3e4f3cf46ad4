using System.Numerics;
using FastLoad.Engine.Load;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Wallets;
using FastLoad.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace FastLoad.Tests.Wallets;

/// <summary>Shards topping up their own funders from one funder key at the same moment.</summary>
public class ShardFunderAnvilTests
{
    [Fact]
    public async Task Shards_racing_for_the_funders_nonce_each_get_their_top_up_exactly_once()
    {
        // Blocks every second: the top-ups sit in the pool while the others read the funder's pending nonce.
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        await using RpcClient api = await RpcClient.ConnectAsync(RpcEndpoint.Parse(node.Url.ToString()));
        Assert.True(PrivateKey.TryParse(AnvilNode.DevKey, out PrivateKey funder));
        var gas = new GasPricing(0, 10_000_000_000UL, 1_000_000_000UL);
        BigInteger need = BigInteger.Pow(10, 18);
        const int shards = 4;
        var logs = new RecordingLogger();
        Task[] topUps = Enumerable.Range(0, shards).Select(i => Task.Run(() => ShardFunder.TopUpAsync(api, funder, ShardFunder.Derive(funder, new Shard(i, shards)),
            new Shard(i, shards), need, gas, AnvilNode.ChainId, logs, CancellationToken.None))).ToArray();
        await Task.WhenAll(topUps).WaitAsync(TimeSpan.FromMinutes(2));

        for (int i = 0; i < shards; i++)
        {
            // Exactly the amount asked: no shard was topped up twice, however its tries went.
            Assert.Equal(need, (await api.GetBalanceAsync(ShardFunder.Derive(funder, new Shard(i, shards)).Address)).ToBigInteger());
        }
        Assert.Equal((ulong)shards, await node.NonceAsync(funder.Address.ToString(), "latest"));
        // A second call finds the balance there and sends nothing.
        await ShardFunder.TopUpAsync(api, funder, ShardFunder.Derive(funder, new Shard(0, shards)), new Shard(0, shards), need, gas, AnvilNode.ChainId, NullLogger.Instance, CancellationToken.None);
        Assert.Equal((ulong)shards, await node.NonceAsync(funder.Address.ToString(), "pending"));
    }
}
