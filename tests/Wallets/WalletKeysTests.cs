using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using FastLoad.Engine.Load;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Sink;
using FastLoad.Engine.Wallets;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Wallets;

/// <summary>Wallet keys come from the funder key and the seed: the seed alone is not enough to spend.</summary>
public class WalletKeysTests
{
    private static readonly PrivateKey OtherFunder = DeterministicKeys.Derive("another-funder", 0);

    [Fact]
    public void Knowing_the_seed_alone_gives_other_keys_than_the_runs_wallets()
    {
        WalletSet run = WalletSet.Derive(TestKeys.Funder, "fastload", 50, Shard.Single, 1, 1);
        var fromSeedOnly = Enumerable.Range(0, 50).Select(i => DeterministicKeys.Derive("fastload", (ulong)i).Address).ToHashSet();
        var fromOtherFunder = Enumerable.Range(0, 50).Select(i => WalletKeys.Derive(OtherFunder, "fastload", (ulong)i).Address).ToHashSet();
        Assert.Equal(50, run.All.Select(w => w.Address).Distinct().Count());
        foreach (Wallet w in run.All)
        {
            Assert.DoesNotContain(w.Address, fromSeedOnly);
            Assert.DoesNotContain(w.Address, fromOtherFunder);
        }
    }

    [Fact]
    public void Same_funder_seed_and_index_give_the_same_wallet_and_shards_agree()
    {
        WalletSet all = WalletSet.Derive(TestKeys.Funder, "repro", 10, Shard.Single, 1, 1);
        WalletSet shard1 = WalletSet.Derive(TestKeys.Funder, "repro", 10, new Shard(1, 2), 1, 1);
        Assert.Equal(all.All[1].Address, shard1.All[0].Address);
        Assert.Equal(all.All[7].Address, WalletKeys.Derive(TestKeys.Funder, "repro", 7).Address);
        Assert.NotEqual(WalletKeys.Derive(TestKeys.Funder, "repro", 7).Address, WalletKeys.Derive(TestKeys.Funder, "repro2", 7).Address);
    }

    [Theory]
    [InlineData("fastload", 0UL)]
    [InlineData("fastload", 41UL)]
    [InlineData("", 3UL)]
    [InlineData("séed with ünicode", ulong.MaxValue)]
    public void Key_is_the_documented_hmac_of_funder_key_domain_seed_and_index(string seed, ulong index)
    {
        // HMAC-SHA256(key = funder key, "fastload/wallet/v2" ‖ len(seed) u32 BE ‖ seed UTF-8 ‖ index u64 BE ‖ attempt u8), attempt 0.
        byte[] seedBytes = Encoding.UTF8.GetBytes(seed);
        byte[] message = [.. "fastload/wallet/v2"u8, 0, 0, 0, 0, .. seedBytes, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        BinaryPrimitives.WriteUInt32BigEndian(message.AsSpan(18), (uint)seedBytes.Length);
        BinaryPrimitives.WriteUInt64BigEndian(message.AsSpan(22 + seedBytes.Length), index);
        byte[] expected = HMACSHA256.HashData(TestKeys.Funder.Bytes.ToArray(), message);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(WalletKeys.Derive(TestKeys.Funder, seed, index).Bytes));
    }

    [Fact]
    public void Missing_or_bad_funder_key_is_one_line_naming_the_fix_without_echoing_the_key()
    {
        RunSetupException missing = Assert.Throws<RunSetupException>(() => WalletKeys.Funder(null));
        Assert.Contains("FASTLOAD_FUNDER_KEY", missing.Message);
        Assert.Contains("--funder-key-file", missing.Message);
        RunSetupException bad = Assert.Throws<RunSetupException>(() => WalletKeys.Funder("0x1234abcd"));
        Assert.Contains("not a 32-byte 0x-hex", bad.Message);
        Assert.DoesNotContain("1234abcd", bad.Message);
    }

    [Fact]
    public async Task Run_without_a_funder_key_cannot_derive_wallets_and_sends_nothing()
    {
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        var run = new LoadRun(new RunOptions { Rpc = [sink.Url.ToString()], Rate = 100, Count = 10, Wallets = 5 });
        RunSetupException refused = await Assert.ThrowsAsync<RunSetupException>(() => run.RunAsync(CancellationToken.None));
        Assert.Contains("no funder key", refused.Message);
        Assert.Null(run.Wallets);
    }
}
