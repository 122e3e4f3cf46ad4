using System.Numerics;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Wallets;
using FastLoad.Engine.Workloads;
using FastLoad.Engine.Workloads.Abi;
using FastLoad.Engine.Workloads.Tokens;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Workloads;

public class CallWorkloadTests
{
    private const string Token = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

    [Theory]
    [InlineData("call:" + Token + ":transfer(address,uint256):0x000000000000000000000000000000000000bEEF,{counter}", "call:" + Token + ":transfer(address,uint256):0x000000000000000000000000000000000000bEEF,{counter}")]
    [InlineData("call:" + Token + ":totalSupply()", "call:" + Token + ":totalSupply()")]
    [InlineData("call:" + Token + ":0x18160DDD", "call:" + Token + ":0x18160ddd")]
    public void Parses_signatures_templates_and_raw_calldata(string text, string expected)
    {
        Assert.Equal(expected, WorkloadSpec.Parse(text).Text);
    }

    [Theory]
    [InlineData("call", "--workload call needs a contract and a call")]
    [InlineData("call:0x1234:f()", "'0x1234' is not a 20-byte 0x-hex contract address")]
    [InlineData("call:" + Token, "give a function signature or 0x calldata after the address")]
    [InlineData("call:" + Token + ":transfer(address,uint256):{wallet}", "takes 2 argument(s) but 1 given")]
    [InlineData("call:" + Token + ":set(string[]):[a]", "'string[]' is an array of a dynamic type, which is not supported")]
    [InlineData("call:" + Token + ":set((uint256,bool)):x", "tuple types are not supported")]
    [InlineData("call:" + Token + ":set(uint8):256", "256 is out of range for uint8 (0 to 255)")]
    [InlineData("call:" + Token + ":set(int8):-129", "-129 is out of range for int8 (-128 to 127)")]
    [InlineData("call:" + Token + ":set(uint256[2]):[1]", "uint256[2] takes 2 value(s) but '[1]' has 1")]
    [InlineData("call:" + Token + ":set(uint256[]):{counter}", "{counter} can't stand for a uint256[]")]
    [InlineData("call:" + Token + ":set(uint256[]):[1,{counter}]", "{counter} stands for a single value, not an array element of uint256[]")]
    [InlineData("call:" + Token + ":set(uint256[]):1", "'1' is not an array for uint256[]: write it as [a,b,c]")]
    [InlineData("call:" + Token + ":set(bytes4):0x0102", "'0x0102' is not 4 byte(s) of 0x-hex for bytes4")]
    [InlineData("call:" + Token + ":set(bytes):hello", "'hello' is not 0x-hex for bytes")]
    [InlineData("call:" + Token + ":set(string):\"open", "the string \"open has no closing quote")]
    [InlineData("call:" + Token + ":set(uint8):{random}", "{random} can't stand for a uint8 ({random} fills uint256, int256, bytes32 or address)")]
    [InlineData("call:" + Token + ":set(uint7):1", "argument type 'uint7' is not supported")]
    [InlineData("call:" + Token + ":set(string):a@b", "'@b' in")]
    [InlineData("call:" + Token + ":set(bool):{counter}", "{counter} can't stand for a bool")]
    [InlineData("call:" + Token + ":set(uint256):12x", "'12x' is not a whole number for uint256")]
    [InlineData("call:" + Token + ":0xzz", "'0xzz' is not 0x-hex calldata")]
    public void Bad_calls_are_one_line_naming_the_problem(string text, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => WorkloadSpec.Parse(text));
        Assert.Contains(expected, e.Message);
    }

    // The example: an erc20 run gives the wallets tokens; then a call run sends transfer(0x…bEEF, {counter}) from each.
    [Fact]
    public async Task Call_run_with_templates_has_its_effect_on_chain()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        const string seed = "call-test";
        var setup = new LoadRun(new RunOptions
        {
            Rpc = [node.Url.ToString()], Rate = 20, Duration = TimeSpan.FromSeconds(1), Wallets = 8,
            FunderKey = AnvilNode.DevKey, Seed = seed, Workload = WorkloadSpec.Parse("erc20"),
        });
        await setup.RunAsync(CancellationToken.None);
        Address token = Assert.Single(setup.Contracts).Address;
        var beef = Address.Parse("0x000000000000000000000000000000000000bEEF");

        var results = new TxCollector();
        var run = new LoadRun(new RunOptions
        {
            Rpc = [node.Url.ToString()], Rate = 40, Duration = TimeSpan.FromSeconds(3), Wallets = 8,
            FunderKey = AnvilNode.DevKey, Seed = seed, Workload = WorkloadSpec.Parse($"call:{token}:transfer(address,uint256):{beef},{{counter}}"),
        }) { Results = results };
        RunSummary summary = await run.RunAsync(CancellationToken.None);

        Assert.Equal(0, summary.Errors);
        Assert.True(summary.Accepted >= 72, $"only {summary.Accepted} of 120 due accepted: {summary.Format()}"); // the check is per tx; a busy machine may send fewer
        Assert.Equal(summary.Accepted, summary.Included);
        // Each wallet's k-th call sent k units: 0xbEEF holds the sum of 0 + 1 + … over every wallet's included calls.
        BigInteger expected = 0;
        foreach (var byWallet in results.Results.Where(r => r.Outcome == TxOutcome.Accepted).GroupBy(r => r.Tx.Wallet.Index))
        {
            Assert.All(byWallet, r => Assert.Equal(WorkloadOp.Call, r.Tx.Op));
            ulong first = byWallet.Min(r => r.Tx.Nonce);
            foreach (var r in byWallet) expected += r.Tx.Nonce - first;
        }
        Assert.True(expected > 0);
        var call = new Dictionary<string, string> { ["to"] = token.ToString(), ["data"] = Hex.ToPrefixedString(LoadToken.BalanceOfCall(beef)) };
        string hex = (await node.CallAsync("eth_call", call, "latest"))!.GetValue<string>();
        Assert.Equal(expected, new BigInteger(Convert.FromHexString(hex[2..]), isUnsigned: true, isBigEndian: true));
        WorkloadCheck check = Assert.IsType<WorkloadCheck>(summary.Check);
        Assert.Equal("call", check.Name);
        Assert.Empty(check.Mismatches);
    }

    [Fact]
    public async Task Dynamic_arguments_reach_the_chain_byte_for_byte()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        // A contract whose code is STOP: any calldata succeeds, so what lands is exactly what FastLoad encoded.
        var target = Address.Parse("0x00000000000000000000000000000000000C0DE5");
        await node.CallAsync("anvil_setCode", target.ToString(), "0x00");
        const string signature = "log(string,uint256[],bytes,uint256,int8[2])";
        const string args = "\"load, test\",[1,2,3],0xdeadbeef,{counter},[-1,1]";
        var results = new TxCollector();
        var run = new LoadRun(new RunOptions
        {
            Rpc = [node.Url.ToString()], Rate = 30, Duration = TimeSpan.FromSeconds(2), Wallets = 4,
            FunderKey = AnvilNode.DevKey, Seed = "call-dynamic", Workload = WorkloadSpec.Parse($"call:{target}:{signature}:{args}"),
        }) { Results = results };
        RunSummary summary = await run.RunAsync(CancellationToken.None);
        Assert.Equal(0, summary.Errors);
        Assert.True(summary.Accepted >= 30, summary.Format());
        Assert.Equal(summary.Accepted, summary.Included);

        // Each tx's input on chain: the template (the same encoder, checked against cast in AbiCallTemplateTests) with
        // the wallet's tx number k in the {counter} word.
        var template = AbiCallTemplate.Parse("test", signature, args);
        (int offset, AbiSlot kind) = Assert.Single(template.Slots);
        Assert.Equal(AbiSlot.Counter, kind);
        var accepted = results.Results.Where(r => r.Outcome == TxOutcome.Accepted).ToList();
        foreach (var byWallet in accepted.GroupBy(r => r.Tx.Wallet.Index))
        {
            ulong first = byWallet.Min(r => r.Tx.Nonce);
            foreach (var r in byWallet)
            {
                byte[] expected = template.Template.ToArray();
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(expected.AsSpan(offset + 24), r.Tx.Nonce - first);
                var tx = await node.CallAsync("eth_getTransactionByHash", r.Tx.TxHash.ToString());
                Assert.Equal(Hex.ToPrefixedString(expected), tx!["input"]!.GetValue<string>());
                Assert.Equal(target.ToString().ToLowerInvariant(), tx["to"]!.GetValue<string>());
            }
        }
        WorkloadCheck check = Assert.IsType<WorkloadCheck>(summary.Check);
        Assert.Empty(check.Mismatches);
    }

    [Fact]
    public async Task A_call_that_reverts_fails_in_set_up_with_one_line()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        var setup = new LoadRun(new RunOptions
        {
            Rpc = [node.Url.ToString()], Count = 5, Duration = null, Wallets = 2, FunderKey = AnvilNode.DevKey, Seed = "call-revert", Workload = WorkloadSpec.Parse("erc20"),
        });
        await setup.RunAsync(CancellationToken.None);
        Address token = Assert.Single(setup.Contracts).Address;
        // mint() needs the minter role, which erc20 gives only the funder: the wallets' call reverts.
        var run = new LoadRun(new RunOptions
        {
            Rpc = [node.Url.ToString()], Count = 5, Duration = null, Wallets = 2, FunderKey = AnvilNode.DevKey, Seed = "call-revert",
            Workload = WorkloadSpec.Parse($"call:{token}:mint(address,uint256):{{wallet}},1"),
        });
        var e = await Assert.ThrowsAsync<RunSetupException>(() => run.RunAsync(CancellationToken.None));
        Assert.Contains("wallet 0's call 0 of", e.Message);
    }
}
