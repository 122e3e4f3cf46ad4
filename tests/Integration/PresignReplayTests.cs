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
            using (PresignedFileReader reader = PresignedFileReader.Open(file))
            {
                var slot = new PresignedTx(512);
                while (reader.TryRead(slot, out int index)) perWallet[index] = perWallet.GetValueOrDefault(index) + 1;
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
    public async Task Replay_with_another_funder_than_the_presign_is_refused_before_anything_is_sent()
    {
        string file = TestPaths.NewFile(".bin");
        ProcessResult presign = await ProcessRunner.RunFastloadAsync("", "presign", "--count", "10", "--out", file, "--wallets", "2");
        Assert.True(presign.ExitCode == 0, presign.StdErr);
        using (var stream = File.OpenRead(file)) Assert.Equal(TestKeys.Funder.Address.ToString(), PresignedFile.ReadHeader(stream).Funder); // no --rpc: the local anvil's dev account
        Assert.DoesNotContain(Convert.ToHexStringLower(TestKeys.Funder.Bytes), File.ReadAllText(file).Split('\n')[0]);

        await using var sink = FastLoad.Engine.Sink.SinkServer.Start(new FastLoad.Engine.Sink.SinkOptions { Port = 0 });
        string other = "0x" + Convert.ToHexStringLower(FastLoad.Engine.Signing.DeterministicKeys.Derive("other-funder", 0).Bytes);
        var run = new LoadRun(new RunOptions { Rpc = [sink.Url.ToString()], Rate = null, Duration = null, ReplayFile = file, FunderKey = other });
        RunSetupException refused = await Assert.ThrowsAsync<RunSetupException>(() => run.RunAsync(CancellationToken.None));
        Assert.Contains($"was presigned for funder {TestKeys.Funder.Address} but the funder given is", refused.Message);
        Assert.Null(run.Wallets);
    }

    [Fact]
    public void A_file_of_an_older_format_asks_to_presign_again()
    {
        string file = TestPaths.NewFile(".bin");
        File.WriteAllText(file, "{\"format\":\"fastload-presigned/1\",\"chainId\":31337,\"txType\":\"eip1559\",\"seed\":\"fastload\",\"wallets\":1,\"shard\":\"0/1\",\"count\":0,\"maxCostPerTx\":\"1\"}\n");
        RunSetupException refused = Assert.Throws<RunSetupException>(() => PresignedFile.Verify(file, TestKeys.Funder.Address));
        Assert.Contains(file, refused.Message);
        Assert.Contains("format fastload-presigned/1", refused.Message);
        Assert.Contains("re-run `fastload presign`", refused.Message);
    }

    [Theory]
    [InlineData("flipped")]
    [InlineData("truncated")]
    public async Task A_damaged_file_is_refused_before_anything_is_funded_or_sent(string damage)
    {
        string file = TestPaths.NewFile(".bin");
        ProcessResult presign = await ProcessRunner.RunFastloadAsync("", "presign", "--count", "3000", "--out", file, "--wallets", "30", "--seed", "damaged");
        Assert.True(presign.ExitCode == 0, presign.StdErr);
        long length = new FileInfo(file).Length;
        using (var stream = new FileStream(file, FileMode.Open))
        {
            if (damage == "truncated") stream.SetLength(length * 6 / 10);
            else
            {
                stream.Position = length / 2; // inside a call of the only block
                int b = stream.ReadByte();
                stream.Position = length / 2;
                stream.WriteByte((byte)(b ^ 0x01));
            }
        }

        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey },
            "run", "--rpc", node.Url.ToString(), "--replay", file, "--max", "--no-results");

        Assert.Equal(2, run.ExitCode);
        string[] lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, run.StdErr);
        Assert.StartsWith($"fastload run: {file}: ", lines[0]);
        Assert.Contains(damage == "flipped" ? "block 0 at byte " : "is truncated", lines[0]);
        Assert.Contains(damage == "flipped" ? "fails its checksum: the file is damaged; presign it again" : "presign it again", lines[0]);
        Assert.DoesNotContain("Funding", run.StdOut);
        // Nothing was sent: not by the funder, not by any of the file's wallets.
        Assert.Equal("0x0", (await node.CallAsync("eth_getTransactionCount", TestKeys.Funder.Address.ToString(), "pending"))!.GetValue<string>());
        foreach (var wallet in FastLoad.Engine.Wallets.WalletSet.Derive(TestKeys.Funder, "damaged", 30, FastLoad.Engine.Wallets.Shard.Single, 1, 1).All)
            Assert.Equal("0x0", (await node.CallAsync("eth_getTransactionCount", wallet.Address.ToString(), "pending"))!.GetValue<string>());
        Assert.Equal("0x0", (await node.CallAsync("txpool_status"))!["pending"]!.GetValue<string>());
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
            ProcessResult presign = await ProcessRunner.RunFastloadAsync("", "presign", "--count", "10", "--out", file, "--chain-id", "4242");
            Assert.Equal(0, presign.ExitCode);
            ProcessResult run = await ProcessRunner.RunFastloadAsync("", "run", "--replay", file, "--block-time", "0");
            Assert.Equal(2, run.ExitCode);
            Assert.Contains("signed for chain 4242", run.StdErr);
            Assert.DoesNotContain("   at ", run.StdErr);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
