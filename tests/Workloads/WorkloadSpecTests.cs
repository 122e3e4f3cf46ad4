using FastLoad.Engine.Workloads;

namespace FastLoad.Tests.Workloads;

public class WorkloadSpecTests
{
    [Theory]
    [InlineData("transfer", "transfer")]
    [InlineData("ERC20", "erc20")]
    [InlineData("mix:mint=50,burn=30,transfer=20", "mix:mint=50,burn=30,transfer=20")]
    [InlineData("mix:transfer=1", "mix:mint=0,burn=0,transfer=1")]
    [InlineData("mix: burn=3 , mint=1", "mix:mint=1,burn=3,transfer=0")]
    [InlineData("deploy", "deploy")]
    [InlineData("gas:100000", "gas:100000")]
    [InlineData("storage:10", "storage:10")]
    [InlineData("transfer@70+erc20@30", "transfer@70+erc20@30")]
    [InlineData(" transfer @ 7 + gas:100000 + MIX:mint=1@2 ", "transfer@7+gas:100000@1+mix:mint=1,burn=0,transfer=0@2")]
    public void Parses_and_normalises(string text, string expected)
    {
        Assert.Equal(expected, WorkloadSpec.Parse(text).Text);
    }

    [Theory]
    [InlineData("bogus", "--workload 'bogus' is unknown")]
    [InlineData("mix", "--workload mix needs weights")]
    [InlineData("mix:mint=50,swap=10", "op 'swap' is unknown")]
    [InlineData("mix:mint=-1", "'mint=-1' is not op=weight")]
    [InlineData("mix:mint=0,burn=0", "the weights add up to 0")]
    [InlineData("mix:mint=1,mint=2", "mint is given twice")]
    [InlineData("erc20:5", "--workload erc20 takes no arguments")]
    [InlineData("gas", "give gas:N")]
    [InlineData("gas:1000", "give gas:N")]
    [InlineData("storage:0", "give storage:N")]
    [InlineData("storage:5000", "give storage:N")]
    [InlineData("erc20@30", "a weight only means something between two or more workloads")]
    [InlineData("transfer@70+", "an empty part between two +")]
    [InlineData("transfer@x+erc20", "'@x' in 'transfer@x' is not a weight")]
    [InlineData("transfer@0+erc20", "'@0' in 'transfer@0' is not a weight")]
    [InlineData("transfer+transfer@2", "transfer is given twice")]
    [InlineData("transfer+bogus@2", "--workload 'bogus' is unknown")]
    public void Bad_specs_are_one_line_naming_the_problem(string text, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => WorkloadSpec.Parse(text));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Weighted_parts_keep_their_own_specs_and_receipt_needs()
    {
        WorkloadSpec spec = WorkloadSpec.Parse("transfer@3+gas:100000@1");
        Assert.Equal("weighted", spec.Name);
        Assert.Equal(["transfer", "gas:100000"], spec.Parts.Select(p => p.Spec.Text));
        Assert.Equal([3, 1], spec.Parts.Select(p => p.Weight));
        Assert.True(spec.NeedsReceipts); // the gas part's check reads receipts
        Assert.False(WorkloadSpec.Parse("transfer+erc20").NeedsReceipts);
        Assert.False(spec.IsTransfer);
    }

    [Theory]
    [InlineData(new[] { 70, 30 }, 100, new[] { 70, 30 })]
    [InlineData(new[] { 1, 1, 1 }, 10, new[] { 4, 3, 3 })]
    [InlineData(new[] { 1000, 1 }, 10, new[] { 9, 1 })] // every part keeps at least one wallet
    [InlineData(new[] { 5, 3, 2 }, 3, new[] { 1, 1, 1 })]
    [InlineData(new[] { 50, 30, 20 }, 7, new[] { 3, 2, 2 })]
    public void Wallets_are_apportioned_by_weight_with_at_least_one_each(int[] weights, int wallets, int[] expected)
    {
        int[] counts = CompositeWorkload.Apportion(weights, wallets);
        Assert.Equal(expected, counts);
        Assert.Equal(wallets, counts.Sum());
    }
}
