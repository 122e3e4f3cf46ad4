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
    public void Bad_specs_are_one_line_naming_the_problem(string text, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => WorkloadSpec.Parse(text));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
