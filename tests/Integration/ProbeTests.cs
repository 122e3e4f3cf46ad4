using System.Globalization;
using System.Text.RegularExpressions;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Results;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Integration;

/// <summary>
/// <c>fastload probe</c> against an anvil whose blocks hold at most 100 transfers (gas limit 2,100,000, 1 s blocks):
/// a physical ceiling of 100 tx/s that no probe may report above, reached in well under a minute.
/// </summary>
[Collection(nameof(SaturatingCollection))]
public class ProbeTests
{
    private static readonly Dictionary<string, string> Funder = new() { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey };

    [Fact]
    public async Task Probe_finds_a_rate_at_or_below_the_block_gas_ceiling_and_records_every_phase()
    {
        await using AnvilNode node = await AnvilNode.StartWithGasLimitAsync(2_100_000, "--block-time", "1");
        string file = TestPaths.NewFile(".duckdb");
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", Funder,
            "probe", "--rpc", node.Url.ToString(), "--start-rate", "30", "--max-rate", "400", "--step", "4s", "--hold", "8s", "--precision", "10",
            "--wallets", "20", "--seed", "probe-test", "--out", file, "--no-live");
        string output = result.StdOut + result.StdErr;
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}\n{output}");
        string last = result.StdOut.TrimEnd().Split('\n')[^1];
        Match answer = Regex.Match(last, @"^sustainable: ([0-9.]+) tx/s$");
        Assert.True(answer.Success, $"last line: {last}\n{output}");
        double rate = double.Parse(answer.Groups[1].Value, CultureInfo.InvariantCulture);
        // The chain includes at most 100 transfers a second; 30 and 60 tx/s are well inside it.
        Assert.InRange(rate, 60, 105);

        var db = DuckDbSql.Open(file);
        ResultTable run = db.Table("SELECT schema_version, sustainable_rate, status, (SELECT count(*) FROM tx_log), (SELECT count(*) FROM txs WHERE phase IS NULL) FROM runs");
        Assert.Equal(ResultsSchema.Version, (int)run.GetInt64(0, 0));
        Assert.Equal(rate, run.GetDouble(0, 1));
        Assert.Equal("complete", run.GetString(0, 2));
        Assert.Equal(0, run.GetInt64(0, 4)); // every tx belongs to a phase

        ResultTable phases = db.Table("""
            SELECT p.phase, p.kind, p.rate, p.offered, p.sent, p.included, p.included_rate, p.verdict, count(t.id), count(t.block)
            FROM phases p LEFT JOIN txs t ON t.phase = p.phase GROUP BY ALL ORDER BY p.phase
            """);
        Assert.True(phases.RowCount >= 4, output);
        long offered = 0;
        bool failedAboveCeiling = false;
        for (int r = 0; r < phases.RowCount; r++)
        {
            Assert.Equal(r, (int)phases.GetInt64(r, 0));
            offered += phases.GetInt64(r, 3);
            Assert.Equal(phases.GetInt64(r, 4), phases.GetInt64(r, 8)); // the phase's txs, by intended time
            Assert.Equal(phases.GetInt64(r, 5), phases.GetInt64(r, 9)); // and its included ones
            // No phase saw the chain include more of ours than its blocks hold (100 a second, a little slack for block timing).
            Assert.True(phases.GetDouble(r, 6) <= 115, $"phase {r} included {phases.GetDouble(r, 6)} tx/s\n{output}");
            if (phases.GetDouble(r, 2) > 110 && phases.GetString(r, 7) == "FAIL") failedAboveCeiling = true;
        }
        Assert.True(failedAboveCeiling, output); // the knee was found by a failing step, not by the cap
        Assert.Equal(offered, run.GetInt64(0, 3));
        Assert.Equal("hold", phases.GetString(phases.RowCount - 1, 1));
        Assert.Equal("PASS", phases.GetString(phases.RowCount - 1, 7));

        // Fee evidence: anvil has a base fee; every phase records it as it began and ended, under the txs' fee cap
        // (the probe waits before a phase until the phase cannot push it past the cap).
        ResultTable fees = db.Table("SELECT count(*), count(base_fee_start_gwei), count(base_fee_end_gwei), max(base_fee_end_gwei) < min(fee_cap_gwei), min(fee_wait_s) >= 0 FROM phases");
        Assert.Equal(fees.GetInt64(0, 0), fees.GetInt64(0, 1));
        Assert.Equal(fees.GetInt64(0, 0), fees.GetInt64(0, 2));
        Assert.True(fees.GetBoolean(0, 3), output);
        Assert.True(fees.GetBoolean(0, 4));
        Assert.Contains("base fee gwei", output);

        db.Dispose(); // the report opens the file itself

        // The report shows the same table.
        ProcessResult report = await ProcessRunner.RunFastloadAsync("", "report", file);
        Assert.Equal(0, report.ExitCode);
        Assert.Contains($"sustainable: {answer.Groups[1].Value} tx/s", report.StdOut);
        Assert.Contains("hold", report.StdOut);
    }

    [Fact]
    public async Task A_node_that_sustains_not_even_the_lowest_step_gets_one_line_and_exit_1()
    {
        // 1 transfer a block, one block a second: 20 tx/s is far beyond it.
        await using AnvilNode node = await AnvilNode.StartWithGasLimitAsync(21_000, "--block-time", "1");
        string file = TestPaths.NewFile(".duckdb");
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", Funder,
            "probe", "--rpc", node.Url.ToString(), "--start-rate", "20", "--max-rate", "100", "--step", "3s", "--wallets", "5", "--seed", "probe-floor", "--out", file, "--no-live");
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}\n{result.StdOut}{result.StdErr}");
        Assert.Equal("fastload probe: the node does not sustain even the lowest step (20 tx/s)", result.StdErr.Trim());
        Assert.DoesNotContain("sustainable:", result.StdOut);
        using var db = DuckDbSql.Open(file);
        ResultTable run = db.Table("SELECT sustainable_rate IS NULL, (SELECT count(*) FROM phases), (SELECT verdict FROM phases) FROM runs");
        Assert.True(run.GetBoolean(0, 0));
        Assert.Equal(1, run.GetInt64(0, 1));
        Assert.Equal("FAIL", run.GetString(0, 2));
    }

    [Theory]
    [InlineData("--start-rate 0", "--start-rate must be positive")]
    [InlineData("--start-rate 500 --max-rate 100", "--max-rate (100) must be at least --start-rate (500)")]
    [InlineData("--step soon", "--step 'soon' is not a duration")]
    [InlineData("--target-success 101", "--target-success is a percentage")]
    [InlineData("--precision 0", "--precision is a percentage")]
    public async Task Bad_input_is_one_line_and_exit_2(string args, string expected)
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", ["probe", "--rpc", "http://127.0.0.1:1", .. args.Split(' ')]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(expected, result.StdErr);
        Assert.DoesNotContain("   at ", result.StdErr);
        Assert.Single(result.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
