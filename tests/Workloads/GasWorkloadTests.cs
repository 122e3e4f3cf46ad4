using System.Globalization;
using System.Text.Json.Nodes;
using FastLoad.Engine.Load;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Workloads;
using FastLoad.Engine.Workloads.Contracts;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Workloads;

public class GasWorkloadTests
{
    [Theory]
    [InlineData(60_000)]
    [InlineData(500_000)]
    public async Task Gas_run_txs_each_use_about_N_gas_by_their_receipts(int gas)
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        var results = new TxCollector();
        var run = new LoadRun(new RunOptions
        {
            Rpc = [node.Url.ToString()], Rate = 30, Duration = TimeSpan.FromSeconds(4), Wallets = 10,
            FunderKey = AnvilNode.DevKey, Seed = "gas-test", Workload = WorkloadSpec.Parse($"gas:{gas}"),
        }) { Results = results };
        RunSummary summary = await run.RunAsync(CancellationToken.None);

        Assert.Equal(0, summary.Errors);
        // 30 tx/s for 4 s is 120 due; on a busy machine anvil burning 15M gas a second may take fewer. What matters here is
        // every receipt of what was accepted, and enough of them for the check's sample of 50.
        Assert.True(summary.Accepted >= 60, $"only {summary.Accepted} accepted: {summary.Format()}");
        Assert.Equal(summary.Accepted, summary.Included);
        string burner = Assert.Single(run.Contracts).Address.ToString();
        // Every receipt, not only the check's sample: within 5 % of N, and a call of the burner.
        foreach (var (tx, outcome) in results.Results.Where(r => r.Outcome == TxOutcome.Accepted))
        {
            Assert.Equal(WorkloadOp.GasBurn, tx.Op);
            JsonNode receipt = (await node.CallAsync("eth_getTransactionReceipt", tx.TxHash.ToString()))!;
            Assert.Equal("0x1", receipt["status"]!.GetValue<string>());
            Assert.Equal(burner, receipt["to"]!.GetValue<string>());
            long used = long.Parse(receipt["gasUsed"]!.GetValue<string>()[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.InRange(used, gas * 0.95, gas * 1.05);
        }
        WorkloadCheck check = Assert.IsType<WorkloadCheck>(summary.Check);
        Assert.Equal("gas", check.Name);
        Assert.Equal(50, check.Checked);
        Assert.Equal(summary.Included, check.IncludedTxs);
        Assert.Empty(check.Mismatches);
    }
}
