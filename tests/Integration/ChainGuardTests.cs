using FastLoad.Engine.Load;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>Public mainnet chain ids are refused before anything is funded or sent, unless --allow-mainnet.</summary>
public class ChainGuardTests
{
    private const string DevAddress = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266";

    [Fact]
    public async Task Run_against_chain_1_is_refused_before_any_wallet_is_funded()
    {
        await using AnvilNode node = await AnvilNode.StartAsync(chainId: 1, "--block-time", "1");
        var run = new LoadRun(new RunOptions { Rpc = [node.Url.ToString()], Rate = 50, Count = 20, Wallets = 5, FunderKey = AnvilNode.DevKey, Seed = "guard" });
        RunSetupException refused = await Assert.ThrowsAsync<RunSetupException>(() => run.RunAsync(CancellationToken.None));
        Assert.Contains("is chain 1 (Ethereum), a public mainnet", refused.Message);
        Assert.Contains("--allow-mainnet", refused.Message);
        Assert.Null(run.Wallets); // stopped before deriving wallets
        Assert.Equal("0x0", (await node.CallAsync("eth_getTransactionCount", DevAddress, "pending"))!.GetValue<string>());
    }

    [Fact]
    public async Task Run_against_chain_1_goes_ahead_with_allow_mainnet()
    {
        await using AnvilNode node = await AnvilNode.StartAsync(chainId: 1, "--block-time", "1");
        var run = new LoadRun(new RunOptions { Rpc = [node.Url.ToString()], Rate = 50, Count = 20, Wallets = 5, FunderKey = AnvilNode.DevKey, Seed = "guard", AllowMainnet = true });
        RunSummary summary = await run.RunAsync(CancellationToken.None);
        Assert.Equal(20, summary.Accepted);
        Assert.Equal("0x5", (await node.CallAsync("eth_getTransactionCount", DevAddress, "latest"))!.GetValue<string>()); // five funding txs
    }

    [Fact]
    public async Task Commands_refuse_chain_1_with_one_line_and_exit_2()
    {
        await using AnvilNode node = await AnvilNode.StartAsync(chainId: 1);
        string url = node.Url.ToString();
        var funder = new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey };
        string file = TestPaths.NewFile(".bin");
        ProcessResult[] results =
        [
            await ProcessRunner.RunFastloadAsync("", funder, "run", "--rpc", url, "--count", "10", "--no-results"),
            await ProcessRunner.RunFastloadAsync("", funder, "sweep", "--rpc", url, "--wallets", "5"),
            await ProcessRunner.RunFastloadAsync("", funder, "presign", "--rpc", url, "--count", "10", "--out", file),
            await ProcessRunner.RunFastloadAsync("", funder, "presign", "--chain-id", "8453", "--count", "10", "--out", file),
        ];
        foreach (ProcessResult result in results)
        {
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("a public mainnet", result.StdErr);
            Assert.Contains("--allow-mainnet", result.StdErr);
            Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        Assert.Contains("chain 8453 (Base)", results[3].StdErr);
        Assert.False(File.Exists(file));
        Assert.Equal("0x0", (await node.CallAsync("eth_getTransactionCount", DevAddress, "pending"))!.GetValue<string>());
    }
}
