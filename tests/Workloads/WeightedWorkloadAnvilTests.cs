using FastLoad.Engine.Load;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Workloads;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Workloads;

/// <summary>Several workloads in one run (<c>--workload transfer@50+erc20@30+gas:100000@20</c>) against a real anvil.</summary>
public class WeightedWorkloadAnvilTests
{
    [Fact]
    public async Task Each_part_sends_from_its_own_share_of_the_wallets_and_passes_its_own_check()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        var results = new TxCollector();
        var run = new LoadRun(new RunOptions
        {
            Rpc = [node.Url.ToString()], Rate = 40, Duration = TimeSpan.FromSeconds(8), Wallets = 20,
            FunderKey = AnvilNode.DevKey, Seed = "weighted-test", Workload = WorkloadSpec.Parse("transfer@50+erc20@30+gas:100000@20"),
        }) { Results = results };
        RunSummary summary = await run.RunAsync(CancellationToken.None);
        await node.WaitForEmptyPoolAsync(attempts: 50);

        Assert.Equal(0, summary.Errors);
        Assert.Equal(summary.Accepted, summary.Included);
        Assert.True(summary.Accepted >= 200, $"only {summary.Accepted} of 320 due accepted: {summary.Format()}");

        // Wallets split 10 / 6 / 4 by weight; each wallet sent one kind of op only.
        var opsByWallet = results.Results.Where(r => r.Outcome == TxOutcome.Accepted)
            .GroupBy(r => r.Tx.Wallet.Index).ToDictionary(g => g.Key, g => g.Select(r => r.Tx.Op).Distinct().ToArray());
        Assert.All(opsByWallet.Values, ops => Assert.Single(ops));
        var walletsPerOp = opsByWallet.GroupBy(p => p.Value[0]).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(walletsPerOp.GetValueOrDefault(WorkloadOp.Transfer) <= 10 && walletsPerOp.GetValueOrDefault(WorkloadOp.Erc20Transfer) <= 6
            && walletsPerOp.GetValueOrDefault(WorkloadOp.GasBurn) <= 4, string.Join(", ", walletsPerOp));
        // Every wallet sends at the same pace, so each part's share of the txs is about its share of the wallets.
        var txsPerOp = results.Results.Where(r => r.Outcome == TxOutcome.Accepted).GroupBy(r => r.Tx.Op).ToDictionary(g => g.Key, g => (double)g.Count());
        double all = txsPerOp.Values.Sum();
        Assert.InRange(txsPerOp[WorkloadOp.Transfer] / all, 0.35, 0.65);
        Assert.InRange(txsPerOp[WorkloadOp.Erc20Transfer] / all, 0.18, 0.42);
        Assert.InRange(txsPerOp[WorkloadOp.GasBurn] / all, 0.08, 0.32);

        // The token part's ledger over its 6 wallets and the gas part's receipts, each checked on chain, both pass.
        WorkloadCheck check = Assert.IsType<WorkloadCheck>(summary.Check);
        Assert.Equal("checks", check.Name);
        Assert.True(check.Passed, summary.Format());
        Assert.Equal(["erc20", "gas:100000"], check.Parts.Select(p => p.Spec));
        WorkloadCheck ledger = check.Parts[0].Check;
        Assert.Equal("ledger", ledger.Name);
        Assert.Equal(6, ledger.Wallets);
        Assert.Equal(6, ledger.Checked);
        Assert.Empty(ledger.Mismatches);
        Assert.Equal((long)txsPerOp[WorkloadOp.Erc20Transfer], ledger.IncludedTxs);
        Assert.Equal(ledger.ExpectedSum, ledger.ActualSum);
        WorkloadCheck gas = check.Parts[1].Check;
        Assert.Equal("gas", gas.Name);
        Assert.True(gas.Checked > 0);
        Assert.Empty(gas.Mismatches);
        string text = summary.Format();
        Assert.Contains("workload     transfer@50+erc20@30+gas:100000@20", text);
        Assert.Contains("0 mismatches", text);
        Assert.Equal(2, run.Contracts.Count); // the token and the gas burner
    }
}
