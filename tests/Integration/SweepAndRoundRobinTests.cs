using FastLoad.Engine.Load;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

public class SweepAndRoundRobinTests
{
    [Fact]
    public async Task Run_with_sweep_leaves_every_wallet_empty()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        var run = new LoadRun(new RunOptions
        {
            Rpc = [node.Url.ToString()], Rate = 50, Duration = TimeSpan.FromSeconds(4), Wallets = 10,
            FunderKey = AnvilNode.DevKey, Seed = "sweep-test", Sweep = true,
        });
        RunSummary summary = await run.RunAsync(CancellationToken.None);
        Assert.Equal(0, summary.Errors);
        // 200 due over 4 s: sent, or (on a machine too busy to keep up by the deadline) reported as never sent; the sweep
        // is what this test is about, so it asks only that most went out.
        Assert.True(summary.Sent + summary.Unsent is >= 195 and <= 201, summary.Format());
        Assert.True(summary.Accepted >= 150, summary.Format());
        foreach (var wallet in run.Wallets!.All)
            Assert.Equal("0x0", (await node.CallAsync("eth_getBalance", wallet.Address.ToString(), "latest"))!.GetValue<string>());
    }

    [Fact]
    public async Task Round_robin_spreads_each_wallets_txs_over_nodes_sharing_a_mempool()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string url = node.Url.ToString();
        var run = new LoadRun(new RunOptions
        {
            Rpc = [url, url], Rate = 100, Duration = TimeSpan.FromSeconds(5), Wallets = 2, Signers = 1,
            FunderKey = AnvilNode.DevKey, Seed = "round-robin-test", RoundRobin = true,
        });
        RunSummary summary = await run.RunAsync(CancellationToken.None);
        await node.WaitForEmptyPoolAsync();
        Assert.Equal(0, summary.Errors);
        // 500 due over 5 s: sent, or (on a machine too busy to keep up by the deadline) reported as never sent.
        Assert.InRange(summary.Sent + summary.Unsent, 495, 501);
        Assert.True(summary.Sent >= 400, summary.Format());
        // Each node takes half of what was sent.
        Assert.InRange(summary.Nodes[0].Sent, summary.Sent * 0.45, summary.Sent * 0.55);
        foreach (var wallet in run.Wallets!.All)
        {
            string nonce = (await node.CallAsync("eth_getTransactionCount", wallet.Address.ToString(), "latest"))!.GetValue<string>();
            Assert.Equal(wallet.Accepted, Convert.ToInt64(nonce, 16));
            Assert.True(wallet.Accepted > 160); // each of the 2 wallets sent through both nodes
        }
    }
}
