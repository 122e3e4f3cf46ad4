using FastLoad.Engine.Load;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>`fastload presign` then `run --replay`: the file's txs land on a real anvil without any signing at send time.</summary>
public class PresignReplayTests
{
    [Fact]
    public async Task Replayed_presigned_file_lands_every_tx_on_a_fresh_anvil()
    {
        string file = Path.Combine(Path.GetTempPath(), $"fastload-presign-{Guid.NewGuid():N}.bin");
        try
        {
            ProcessResult presign = await ProcessRunner.RunFastloadAsync("", "presign", "--count", "3000", "--out", file, "--wallets", "30", "--seed", "replay-test");
            Assert.True(presign.ExitCode == 0, presign.StdErr);
            Assert.Contains("Presigned 3,000 txs", presign.StdOut);

            await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
            var run = new LoadRun(new RunOptions { Rpc = [node.Url.ToString()], Rate = null, Duration = null, ReplayFile = file, FunderKey = AnvilNode.DevKey });
            RunSummary summary = await run.RunAsync(CancellationToken.None);
            Assert.Equal(3000, summary.Sent);
            Assert.Equal(3000, summary.Accepted);
            Assert.Equal(30, run.Wallets!.All.Length); // the file's wallets, not the options'
            await node.WaitForEmptyPoolAsync();
            // Each wallet's on-chain nonce equals its number of records in the file.
            var perWallet = new Dictionary<int, long>();
            using (var stream = File.OpenRead(file))
            {
                PresignedFile.ReadHeader(stream);
                var slot = new PresignedTx(512);
                while (PresignedFile.TryReadRecord(stream, slot, out int index)) perWallet[index] = perWallet.GetValueOrDefault(index) + 1;
            }
            Assert.Equal(3000, perWallet.Values.Sum());
            foreach (var wallet in run.Wallets.All)
            {
                string nonce = (await node.CallAsync("eth_getTransactionCount", wallet.Address.ToString(), "latest"))!.GetValue<string>();
                Assert.Equal(perWallet[wallet.Index], Convert.ToInt64(nonce, 16));
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Replayed_7702_file_lands_every_tx_with_two_nonces_each()
    {
        string file = Path.Combine(Path.GetTempPath(), $"fastload-presign-{Guid.NewGuid():N}.bin");
        try
        {
            // 3 txs for each of 100 wallets; each tx's authorization takes the wallet's next nonce too.
            ProcessResult presign = await ProcessRunner.RunFastloadAsync("", "presign", "--count", "300", "--out", file, "--wallets", "100", "--tx-type", "7702", "--seed", "replay-7702");
            Assert.True(presign.ExitCode == 0, presign.StdErr);

            await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1", "--hardfork", "prague");
            var run = new LoadRun(new RunOptions { Rpc = [node.Url.ToString()], Rate = null, Duration = null, ReplayFile = file, FunderKey = AnvilNode.DevKey });
            RunSummary summary = await run.RunAsync(CancellationToken.None);
            Assert.True(summary.Errors == 0, summary.Format());
            Assert.Equal(300, summary.Accepted);
            Assert.Equal(300, summary.Included);
            var status = (await node.CallAsync("txpool_status"))!;
            Assert.Equal("0x0", status["pending"]!.GetValue<string>());
            Assert.Equal("0x0", status["queued"]!.GetValue<string>());
            foreach (var wallet in run.Wallets!.All)
                Assert.Equal(2 * (ulong)wallet.Accepted, await node.NonceAsync(wallet.Address.ToString(), "latest"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Replay_on_another_chain_is_refused_with_the_reason()
    {
        string file = Path.Combine(Path.GetTempPath(), $"fastload-presign-{Guid.NewGuid():N}.bin");
        try
        {
            ProcessResult presign = await ProcessRunner.RunFastloadAsync("", "presign", "--count", "10", "--out", file, "--chain-id", "1");
            Assert.Equal(0, presign.ExitCode);
            ProcessResult run = await ProcessRunner.RunFastloadAsync("", "run", "--replay", file, "--block-time", "0");
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("signed for chain 1", run.StdErr);
            Assert.DoesNotContain("   at ", run.StdErr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
