using FastLoad.Engine.Results;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Workloads;

/// <summary>`fastload run --workload` as a user runs it: the results it writes, --reuse-setup, bad input.</summary>
public class WorkloadCommandTests
{
    private static Dictionary<string, string> Funder => new() { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey };

    [Fact]
    public async Task Erc20_results_record_each_tx_op_and_the_contract_and_a_second_run_reuses_it()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string first = TestPaths.NewFile(".duckdb"), second = TestPaths.NewFile(".duckdb");
        ProcessResult run1 = await ProcessRunner.RunFastloadAsync("", Funder,
            "run", "--rpc", node.Url.ToString(), "--workload", "erc20", "--rate", "40", "--duration", "3s", "--wallets", "10", "--out", first, "--no-live");
        Assert.True(run1.ExitCode == 0, run1.StdOut + run1.StdErr);
        Assert.Contains("Deployed LoadToken at 0x", run1.StdOut);
        Assert.Contains("PASS  ledger mismatches", run1.StdOut);
        string address, deployTx;
        using (var db = FastLoad.Engine.DuckDb.DuckDbSql.Open(first))
        {
            var contract = db.Table("SELECT name, address, deploy_tx, reused FROM contracts");
            Assert.Equal(1, contract.RowCount);
            Assert.Equal("LoadToken", contract.GetString(0, 0));
            address = contract.GetString(0, 1)!;
            Assert.False(contract.GetBoolean(0, 3));
            deployTx = contract.GetString(0, 2)!;
            Assert.StartsWith("0x", deployTx);
            var ops = db.Table("SELECT op, count(*), count(block) FROM txs GROUP BY op");
            Assert.Equal(1, ops.RowCount);
            Assert.Equal("erc20_transfer", ops.GetString(0, 0));
            var run = db.Table("SELECT sent, workload_op, ledger_checked, ledger_mismatches, schema_version FROM runs");
            Assert.Equal(run.GetInt64(0, 0), ops.GetInt64(0, 1));
            Assert.Equal(run.GetInt64(0, 0), ops.GetInt64(0, 2)); // every tx included
            Assert.Equal("erc20", run.GetString(0, 1));
            Assert.Equal(10, run.GetInt64(0, 2));
            Assert.Equal(0, run.GetInt64(0, 3));
            Assert.Equal(ResultsSchema.Version, run.GetInt64(0, 4));
        }

        ProcessResult run2 = await ProcessRunner.RunFastloadAsync("", Funder,
            "run", "--rpc", node.Url.ToString(), "--workload", "erc20", "--reuse-setup", first, "--rate", "40", "--duration", "2s", "--wallets", "10", "--out", second, "--no-live");
        Assert.True(run2.ExitCode == 0, run2.StdOut + run2.StdErr);
        Assert.Contains($"Reusing LoadToken at {address}", run2.StdOut);
        Assert.DoesNotContain("Deployed", run2.StdOut);
        Assert.Contains("0 wallets minted", run2.StdOut); // they still hold over half of their first mint
        using (var db = FastLoad.Engine.DuckDb.DuckDbSql.Open(second))
        {
            var contract = db.Table("SELECT address, deploy_tx, reused FROM contracts");
            Assert.Equal(address, contract.GetString(0, 0));
            Assert.Equal(deployTx, contract.GetString(0, 1)); // the tx that created it, in the earlier run
            Assert.True(contract.GetBoolean(0, 2));
            Assert.Equal(0, db.Table("SELECT ledger_mismatches FROM runs").GetInt64(0, 0));
        }

        // The same file against a chain without that contract: a one-line error, nothing sent.
        await using AnvilNode fresh = await AnvilNode.StartAsync();
        ProcessResult run3 = await ProcessRunner.RunFastloadAsync("", Funder,
            "run", "--rpc", fresh.Url.ToString(), "--workload", "erc20", "--reuse-setup", first, "--duration", "2s", "--wallets", "10", "--no-results");
        Assert.Equal(2, run3.ExitCode);
        Assert.Contains($"--reuse-setup: no code at {address}", run3.StdErr);
        Assert.DoesNotContain("   at ", run3.StdErr);
    }

    [Theory]
    [InlineData("--workload bogus", "--workload 'bogus' is unknown")]
    [InlineData("--workload mix:mint=x", "'mint=x' is not op=weight")]
    [InlineData("--reuse-setup /nonexistent/a.duckdb", "--reuse-setup reuses the contracts of a workload that deploys one")]
    [InlineData("--workload deploy --reuse-setup /nonexistent/a.duckdb", "--reuse-setup reuses the contracts of a workload that deploys one")]
    [InlineData("--workload deploy --tx-type 7702", "--workload deploy sends contract creations, which an EIP-7702 tx can't be")]
    [InlineData("--workload erc20 --reuse-setup /nonexistent/a.duckdb", "--reuse-setup /nonexistent/a.duckdb does not exist")]
    [InlineData("--workload erc20 --ledger-sample 0", "--ledger-sample must be at least 1")]
    [InlineData("--ledger-sample 5", "--ledger-sample applies to the post-run check")]
    public async Task Bad_workload_flags_are_one_line_naming_the_problem(string args, string expected)
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", ["run", .. args.Split(' ')]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Reuse_setup_of_a_transfer_run_says_it_deployed_nothing()
    {
        await using AnvilNode node = await AnvilNode.StartAsync();
        string file = TestPaths.NewFile(".duckdb");
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", node.Url.ToString(), "--count", "5", "--wallets", "2", "--out", file, "--no-live");
        Assert.Equal(0, run.ExitCode);
        ProcessResult reuse = await ProcessRunner.RunFastloadAsync("", Funder, "run", "--rpc", node.Url.ToString(), "--workload", "erc20", "--reuse-setup", file, "--no-results");
        Assert.Equal(2, reuse.ExitCode);
        Assert.Contains("that run deployed no contract", reuse.StdErr);
    }
}
