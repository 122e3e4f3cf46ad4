using System.Globalization;
using System.Numerics;
using System.Text.Json.Nodes;
using FastLoad.Engine.Crypto;
using FastLoad.Engine.Load;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Workloads;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Workloads;

public class StorageWorkloadTests
{
    /// <summary>slots[key]'s storage slot, computed here apart from the engine: keccak256(key as 32 bytes ‖ 32 zero bytes).</summary>
    private static string SlotOf(BigInteger key)
    {
        byte[] preimage = new byte[64];
        byte[] k = key.ToByteArray(isUnsigned: true, isBigEndian: true);
        k.CopyTo(preimage, 32 - k.Length);
        byte[] slot = new byte[32];
        Keccak256.Hash(preimage, slot);
        return "0x" + Convert.ToHexStringLower(slot);
    }

    [Fact]
    public async Task Storage_run_txs_each_write_their_N_new_slots()
    {
        const int slots = 5;
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        var results = new TxCollector();
        var run = new LoadRun(new RunOptions
        {
            Rpc = [node.Url.ToString()], Rate = 30, Duration = TimeSpan.FromSeconds(3), Wallets = 6,
            FunderKey = AnvilNode.DevKey, Seed = "storage-test", Workload = WorkloadSpec.Parse($"storage:{slots}"),
        }) { Results = results };
        RunSummary summary = await run.RunAsync(CancellationToken.None);

        Assert.Equal(0, summary.Errors);
        Assert.True(summary.Accepted >= 54, $"only {summary.Accepted} of 90 due accepted: {summary.Format()}"); // the check is per tx; a busy machine may send fewer
        Assert.Equal(summary.Accepted, summary.Included);
        string storage = Assert.Single(run.Contracts).Address.ToString();
        foreach (var (tx, outcome) in results.Results.Where(r => r.Outcome == TxOutcome.Accepted))
        {
            Assert.Equal(WorkloadOp.StorageWrite, tx.Op);
            JsonNode receipt = (await node.CallAsync("eth_getTransactionReceipt", tx.TxHash.ToString()))!;
            Assert.Equal("0x1", receipt["status"]!.GetValue<string>());
            long used = long.Parse(receipt["gasUsed"]!.GetValue<string>()[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.True(used > slots * 20_000, $"{used} gas: fewer than {slots} new slots written"); // a new slot costs 20,000 + access
            BigInteger key = (new BigInteger(tx.Wallet.Index) << 128) + (new BigInteger(tx.Nonce) << 64);
            for (int i = 0; i < slots; i++)
            {
                string value = (await node.CallAsync("eth_getStorageAt", storage, SlotOf(key + i), "latest"))!.GetValue<string>();
                Assert.Equal(i + 1, (int)BigInteger.Parse("0" + value[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }
        // A slot no tx wrote is empty (the check reads real state).
        Assert.Equal(BigInteger.Zero, BigInteger.Parse("0" + (await node.CallAsync("eth_getStorageAt", storage, SlotOf((BigInteger)1 << 200), "latest"))!.GetValue<string>()[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        WorkloadCheck check = Assert.IsType<WorkloadCheck>(summary.Check);
        Assert.Equal("storage", check.Name);
        Assert.Equal(50, check.Checked);
        Assert.Empty(check.Mismatches);
    }
}
