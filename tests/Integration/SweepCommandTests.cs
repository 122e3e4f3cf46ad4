using System.Globalization;
using System.Numerics;
using FastLoad.Engine.Signing;
using FastLoad.Engine.Wallets;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>`fastload sweep` needs the funder key (the wallets derive from it) and returns funds to the funder only.</summary>
public class SweepCommandTests
{
    private const string Seed = "sweep-cli";
    private const int Wallets = 3;
    private static readonly BigInteger OneEth = BigInteger.Pow(10, 18);

    [Fact]
    public async Task Sweep_without_the_funder_key_or_with_to_is_refused_and_moves_nothing()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        PrivateKey funder = DeterministicKeys.Derive("sweep-funder", 0);
        WalletSet wallets = await FundWalletsAsync(node, funder);
        string url = node.Url.ToString();

        ProcessResult noKey = await ProcessRunner.RunFastloadAsync("", "sweep", "--rpc", url, "--wallets", "3", "--seed", Seed);
        ProcessResult to = await ProcessRunner.RunFastloadAsync("", "sweep", "--rpc", url, "--wallets", "3", "--seed", Seed, "--to", "0x000000000000000000000000000000000000dEaD");
        ProcessResult toWithKey = await ProcessRunner.RunFastloadAsync("", KeyEnv(funder), "sweep", "--rpc", url, "--wallets", "3", "--seed", Seed, "--to", "0x000000000000000000000000000000000000dEaD");

        Assert.Equal(2, noKey.ExitCode);
        Assert.Contains("no funder key", noKey.StdErr);
        Assert.Contains("FASTLOAD_FUNDER_KEY", noKey.StdErr);
        foreach (ProcessResult refused in new[] { to, toWithKey })
        {
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("--to is not supported", refused.StdErr);
        }
        foreach (ProcessResult r in new[] { noKey, to, toWithKey }) Assert.Single(r.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (Wallet w in wallets.All) Assert.Equal(OneEth, await BalanceAsync(node, w.Address.ToString()));
        Assert.Equal(BigInteger.Zero, await BalanceAsync(node, "0x000000000000000000000000000000000000dEaD"));
    }

    [Fact]
    public async Task Sweep_returns_every_wallets_balance_to_the_funder()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        PrivateKey funder = DeterministicKeys.Derive("sweep-funder", 1);
        WalletSet wallets = await FundWalletsAsync(node, funder);
        BigInteger gasPrice = Hex((await node.CallAsync("eth_gasPrice"))!.GetValue<string>());

        ProcessResult sweep = await ProcessRunner.RunFastloadAsync("", KeyEnv(funder), "sweep", "--rpc", node.Url.ToString(), "--wallets", "3", "--seed", Seed);

        Assert.True(sweep.ExitCode == 0, sweep.StdErr);
        Assert.Contains($"returned to {funder.Address}", sweep.StdOut);
        Assert.DoesNotContain(Convert.ToHexStringLower(funder.Bytes), sweep.StdOut + sweep.StdErr);
        foreach (Wallet w in wallets.All) Assert.Equal(BigInteger.Zero, await BalanceAsync(node, w.Address.ToString()));
        // The funder held nothing before: now it holds each wallet's ETH less one legacy transfer's fee.
        Assert.Equal(Wallets * (OneEth - 21_000 * gasPrice), await BalanceAsync(node, funder.Address.ToString()));
    }

    [Fact]
    public async Task A_shard_sweep_also_empties_the_shards_own_funder()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        PrivateKey funder = DeterministicKeys.Derive("sweep-funder", 2);
        var shard = Shard.Parse("1/2");
        WalletSet wallets = WalletSet.Derive(funder, Seed, 4, shard, 1, 1); // shard 1 of 4 wallets: 1 and 3
        PrivateKey shardFunder = ShardFunder.Derive(funder, shard);
        foreach (string address in wallets.All.Select(w => w.Address.ToString()).Append(shardFunder.Address.ToString()))
            await node.CallAsync("anvil_setBalance", address, "0x" + OneEth.ToString("x", CultureInfo.InvariantCulture).TrimStart('0'));
        BigInteger gasPrice = Hex((await node.CallAsync("eth_gasPrice"))!.GetValue<string>());

        ProcessResult sweep = await ProcessRunner.RunFastloadAsync("", KeyEnv(funder), "sweep", "--rpc", node.Url.ToString(), "--wallets", "4", "--seed", Seed, "--shard", "1/2");

        Assert.True(sweep.ExitCode == 0, sweep.StdErr);
        Assert.Equal(BigInteger.Zero, await BalanceAsync(node, shardFunder.Address.ToString()));
        foreach (Wallet w in wallets.All) Assert.Equal(BigInteger.Zero, await BalanceAsync(node, w.Address.ToString()));
        Assert.Equal(3 * (OneEth - 21_000 * gasPrice), await BalanceAsync(node, funder.Address.ToString())); // 2 wallets + the shard funder
    }

    private static Dictionary<string, string> KeyEnv(PrivateKey funder) => new() { ["FASTLOAD_FUNDER_KEY"] = "0x" + Convert.ToHexStringLower(funder.Bytes) };

    /// <summary>Gives each of the run's wallets (derived from <paramref name="funder"/> and the seed) exactly 1 ETH.</summary>
    private static async Task<WalletSet> FundWalletsAsync(AnvilNode node, PrivateKey funder)
    {
        WalletSet wallets = WalletSet.Derive(funder, Seed, Wallets, Shard.Single, 1, 1);
        foreach (Wallet w in wallets.All) await node.CallAsync("anvil_setBalance", w.Address.ToString(), "0x" + OneEth.ToString("x", CultureInfo.InvariantCulture).TrimStart('0'));
        return wallets;
    }

    private static async Task<BigInteger> BalanceAsync(AnvilNode node, string address) =>
        Hex((await node.CallAsync("eth_getBalance", address, "latest"))!.GetValue<string>());

    private static BigInteger Hex(string value) => BigInteger.Parse("0" + value[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
