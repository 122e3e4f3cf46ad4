using System.Text.Json.Nodes;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Workloads;
using FastLoad.Engine.Workloads.Contracts;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Workloads;

public class DeployWorkloadTests
{
    [Theory]
    [InlineData("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", 0UL, "0x5fbdb2315678afecb367f032d93f642f64180aa3")] // anvil's first deployment
    [InlineData("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", 1UL, "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512")]
    [InlineData("0x6ac7ea33f8831ea9dcc53393aaa88b25a785dbf0", 0UL, "0xcd234a471b72ba2f1ccf0a70fcaba648a5eecd8d")] // the Yellow Paper's example
    public void Created_address_is_keccak_of_sender_and_nonce(string sender, ulong nonce, string expected)
    {
        Assert.Equal(expected, DeployWorkload.CreatedAddress(Address.Parse(sender), nonce).ToString());
    }

    [Fact]
    public async Task Deploy_run_creates_a_contract_per_included_tx_at_the_address_its_sender_and_nonce_give()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        var results = new TxCollector();
        var run = new LoadRun(new RunOptions
        {
            Rpc = [node.Url.ToString()], Rate = 40, Duration = TimeSpan.FromSeconds(5), Wallets = 10,
            FunderKey = AnvilNode.DevKey, Seed = "deploy-test", Workload = WorkloadSpec.Parse("deploy"),
        }) { Results = results };
        RunSummary summary = await run.RunAsync(CancellationToken.None);

        Assert.Equal(0, summary.Errors);
        Assert.True(summary.Accepted >= 120, $"only {summary.Accepted} of 200 due accepted: {summary.Format()}"); // the check is per tx; a busy machine may send fewer
        Assert.Equal(summary.Accepted, summary.Included);
        string? runtime = null;
        foreach (var (tx, outcome) in results.Results.Where(r => r.Outcome == TxOutcome.Accepted))
        {
            Assert.Equal(WorkloadOp.Deploy, tx.Op);
            JsonNode receipt = (await node.CallAsync("eth_getTransactionReceipt", tx.TxHash.ToString()))!;
            Assert.Equal("0x1", receipt["status"]!.GetValue<string>());
            string address = receipt["contractAddress"]!.GetValue<string>();
            Assert.Equal(DeployWorkload.CreatedAddress(tx.Wallet.Address, tx.Nonce).ToString(), address);
            string code = (await node.CallAsync("eth_getCode", address, "latest"))!.GetValue<string>();
            Assert.True(code.Length > 2, $"no code at {address}");
            Assert.Equal(runtime ??= code, code);
        }
        WorkloadCheck check = Assert.IsType<WorkloadCheck>(summary.Check);
        Assert.Equal("deploy", check.Name);
        Assert.Equal(summary.Included, check.Checked);
        Assert.Empty(check.Mismatches);
        Assert.Contains("0 without the contract's code", summary.Format());
    }
}
