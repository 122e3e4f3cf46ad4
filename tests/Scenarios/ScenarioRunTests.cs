using FastLoad.Engine.DuckDb;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Scenarios;

/// <summary>
/// `fastload scenario check` and `fastload run FILE.yaml` as a user runs them. Each shipped scenario runs in its short
/// form (3 s, fewer wallets) against a local anvil the CLI starts; the results file must carry the scenario's shape,
/// workload and rate. They judge runs against schedules and verdicts, so they run alone.
/// </summary>
[Collection(nameof(Integration.SaturatingCollection))]
public class ScenarioRunTests
{
    private static string Scenario(string name) => Path.Combine(TestPaths.RepoRoot, "scenarios", name + ".yaml");

    [Fact]
    public async Task Check_passes_every_shipped_scenario_and_a_broken_one_exits_2_with_its_line()
    {
        string[] files = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "scenarios"), "*.yaml");
        ProcessResult good = await ProcessRunner.RunFastloadAsync("", ["scenario", "check", .. files]);
        Assert.True(good.ExitCode == 0, good.StdErr);
        Assert.Equal(files.Length, good.StdOut.Split('\n').Count(l => l.Contains(": ok (", StringComparison.Ordinal)));

        string broken = TestPaths.NewFile(".yaml");
        await File.WriteAllTextAsync(broken, "name: broken\nphases:\n  - shape: constant\n    rate: 100\n    durations: 5s\n");
        ProcessResult bad = await ProcessRunner.RunFastloadAsync("", "scenario", "check", broken);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains($"{broken}:5:5: phases[1]: unknown key 'durations'", bad.StdErr);
        Assert.DoesNotContain("   at ", bad.StdErr);

        // `run` refuses it the same way, in one line.
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", "run", broken);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"fastload run: {broken}:5:5:", run.StdErr.Trim());
        Assert.Single(run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("smoke", new string[0], "constant", 50.0, "transfer")]
    [InlineData("standard", new[] { "--wallets", "100", "--phase", "warm-up=constant@100/1s", "--phase", "steady=constant@500/2s" }, "phases:warm-up=constant@100/1s,steady=constant@500/2s", 366.667, "transfer")]
    [InlineData("stress", new[] { "--wallets", "100" }, "ramp:200..2000", null, "transfer")]
    [InlineData("burst", new[] { "--wallets", "100", "--duration", "4s", "--shape", "burst:200/2s" }, "burst:200/2s", null, "transfer")]
    [InlineData("sustained", new[] { "--wallets", "100", "--phase", "ramp-up=ramp:100..1000/1s", "--phase", "hold=constant@1000/2s" }, "phases:ramp-up=ramp:100..1000/1s,hold=constant@1000/2s", 850.0, "transfer")]
    [InlineData("erc20-flow", new string[0], "constant", 200.0, "erc20")]
    public async Task Each_shipped_scenario_runs_in_its_short_form_against_anvil(string name, string[] shortForm, string shape, double? rate, string workload)
    {
        string file = TestPaths.NewFile(".duckdb");
        string[] args = ["run", Scenario(name), .. (shortForm.Contains("--duration") || shortForm.Contains("--phase") ? [] : new[] { "--duration", "3s" }), .. shortForm, "--out", file, "--no-live"];
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", args);
        // A verdict may FAIL on a busy machine (exit 1); anything else is a broken run.
        Assert.True(result.ExitCode is 0 or 1, $"exit {result.ExitCode}: {result.StdErr}\n{result.StdOut}");
        Assert.DoesNotContain("   at ", result.StdErr);
        using var db = DuckDbSql.Open(file);
        var run = db.Table("SELECT status, shape, target_rate, workload_op, sent, included FROM runs");
        Assert.Equal("complete", run.GetString(0, 0));
        Assert.Equal(shape, run.GetString(0, 1));
        if (rate is double r) Assert.Equal(r, run.GetDouble(0, 2), r * 0.02); // a sequence: its mean rate over the run
        Assert.Equal(workload, run.GetString(0, 3));
        Assert.True(run.GetInt64(0, 4) > 0);
        Assert.Equal(run.GetInt64(0, 4), run.GetInt64(0, 5)); // every sent tx included on anvil
        if (name == "smoke") Assert.True(result.ExitCode == 0, result.StdOut); // 50 tx/s is no load: its verdicts pass
    }

    /// <summary>A scenario of two phases runs as one run: each phase a row of `phases`, each tx in the phase its intended time falls in.</summary>
    [Fact]
    public async Task A_scenario_of_two_phases_records_each_phase_and_each_txs_phase()
    {
        string scenario = TestPaths.NewFile(".yaml");
        await File.WriteAllTextAsync(scenario, """
            name: two-phases
            wallets: 20
            phases:
              - { name: warm, shape: constant, rate: 20, duration: 2s }
              - { name: climb, shape: ramp:20..60, duration: 3s }
            expect: { success: 100 }
            """);
        string file = TestPaths.NewFile(".duckdb");
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", "run", scenario, "--out", file, "--no-live");
        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StdErr}\n{result.StdOut}");
        Assert.Contains("2 phases: warm (constant 20 tx/s for 2 s), climb (ramp 20 → 60 tx/s over 3 s for 3 s)", result.StdOut);
        using var db = DuckDbSql.Open(file);
        Assert.Equal("phases:warm=constant@20/2s,climb=ramp:20..60/3s", db.Table("SELECT shape FROM runs").GetString(0, 0));
        var phases = db.Table("SELECT phase, name, kind, start_us, end_us, offered, sent, accepted, included, verdict FROM phases ORDER BY phase");
        Assert.Equal(2, phases.RowCount);
        Assert.Equal(("warm", "phase", 0L, 2_000_000L, 40L), (phases.GetString(0, 1), phases.GetString(0, 2), phases.GetInt64(0, 3), phases.GetInt64(0, 4), phases.GetInt64(0, 5)));
        Assert.Equal(("climb", "phase", 2_000_000L, 5_000_000L, 120L), (phases.GetString(1, 1), phases.GetString(1, 2), phases.GetInt64(1, 3), phases.GetInt64(1, 4), phases.GetInt64(1, 5)));
        for (int r = 0; r < 2; r++)
        {
            Assert.Null(phases.GetValue(r, 9)); // phases of a run are not judged one by one
            Assert.Equal(phases.GetInt64(r, 6), phases.GetInt64(r, 7)); // every sent tx accepted ...
            Assert.Equal(phases.GetInt64(r, 7), phases.GetInt64(r, 8)); // ... and included
        }
        // Per tx: its phase is the window holding its intended time, and the phases' counts are the txs' counts.
        var txs = db.Table("""
            SELECT count(*) FILTER (WHERE phase IS NULL),
                   count(*) FILTER (WHERE phase = 0 AND intended_us < 2000000), count(*) FILTER (WHERE phase = 1 AND intended_us >= 2000000),
                   count(*)
            FROM txs
            """);
        Assert.Equal(0, txs.GetInt64(0, 0));
        Assert.Equal(phases.GetInt64(0, 6), txs.GetInt64(0, 1));
        Assert.Equal(phases.GetInt64(1, 6), txs.GetInt64(0, 2));
        Assert.Equal(txs.GetInt64(0, 3), txs.GetInt64(0, 1) + txs.GetInt64(0, 2));
    }
}
