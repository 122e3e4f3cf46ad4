using FastLoad.Runner.Scenarios;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Scenarios;

/// <summary>Scenario files: the shipped ones read cleanly, broken ones name the line, and flags map and override.</summary>
public class ScenarioFileTests
{
    public static TheoryData<string> Shipped() => new(Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "scenarios"), "*.yaml").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Shipped))]
    public void Every_shipped_scenario_reads_without_errors(string file)
    {
        (ScenarioFile? scenario, IReadOnlyList<ScenarioError> errors) = ScenarioFile.Load(Path.Combine(TestPaths.RepoRoot, "scenarios", file));
        Assert.Empty(errors);
        Assert.NotNull(scenario);
        Assert.NotEmpty(scenario!.Phases);
    }

    [Fact]
    public void The_ladder_and_the_token_flow_are_all_shipped()
    {
        string[] names = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "scenarios"), "*.yaml").Select(Path.GetFileNameWithoutExtension).Order().ToArray()!;
        Assert.Equal(["burst", "erc20-flow", "smoke", "standard", "stress", "sustained"], names);
    }

    [Theory]
    [InlineData("name: x\nwalets: 10\nphases:\n  - { rate: 10, duration: 5s }\n", 2, 1, "unknown key 'walets'")]
    [InlineData("name: x\nphases:\n  - shape: constant\n    rate: fast\n    duration: 5s\n", 4, 11, "rate: 'fast' is not a number")]
    [InlineData("name: x\nphases:\n  - shape: ramp:10..100\n    rate: 50\n    duration: 5s\n", 4, 11, "rate does not apply to shape ramp:10..100")]
    [InlineData("name: x\nphases:\n  - shape: wave\n    duration: 5s\n", 3, 12, "unknown shape")]
    [InlineData("name: x\nphases:\n  - { rate: 10, duration: 5s }\n  - { rate: 20, count: 100 }\n", 4, 1, "needs a duration")]
    [InlineData("name: x\nphases:\n  - { rate: 10, duration: soon }\n", 3, 27, "'soon'")]
    [InlineData("name: x\nphases: [\n", 3, 1, "not valid YAML")]
    [InlineData("name: x\nnodes: [ftp://a]\nphases:\n  - { rate: 10, duration: 5s }\n", 2, 8, "not an http:// or https:// URL")]
    [InlineData("name: x\n", 1, 1, "no phases")]
    [InlineData("name: x\nexpect: { success: 120 }\nphases:\n  - { rate: 10, duration: 5s }\n", 2, 20, "outside 0.001..100")]
    [InlineData("name: x\nexpect: { read_success: 99 }\nphases:\n  - { rate: 10, duration: 5s }\n", 2, 25, "expect.read_success judges read traffic: add `reads: { rate: R }` (reads/s)")]
    [InlineData("name: x\nreads: { rate: 5 }\nexpect: { read_p99_ms: 0 }\nphases:\n  - { rate: 10, duration: 5s }\n", 3, 24, "expect.read_p99_ms: 0 is below 0.001")]
    [InlineData("name: x\nworkload: { mix: { mint: 50, steal: 10 } }\nphases:\n  - { rate: 10, duration: 5s }\n", 2, 30, "unknown op 'steal'")]
    [InlineData("name: x\nfunding: { index: 3 }\nphases:\n  - { rate: 10, duration: 5s }\n", 2, 19, "index applies to mnemonic_file")]
    [InlineData("name: x\nworkload: swap\nphases:\n  - { rate: 10, duration: 5s }\n", 2, 11, "--workload 'swap' is unknown")]
    [InlineData("name: x\nworkload:\n  - { name: transfer, weight: 70 }\n  - { name: erc20, weight: 0 }\n", 4, 28, "workload[1].weight: 0 is below 1")]
    [InlineData("name: x\nworkload:\n  - { name: transfer, weight: 70 }\n  - { weight: 30 }\n", 4, 5, "workload[1]: give its name")]
    [InlineData("name: x\nworkload: [ { name: transfer } ]\nphases:\n  - { rate: 10, duration: 5s }\n", 2, 11, "a list mixes two or more workloads")]
    [InlineData("name: x\nworkload: [ { name: transfer }, { name: gas } ]\nphases:\n  - { rate: 10, duration: 5s }\n", 2, 11, "give gas:N")]
    public void A_broken_scenario_names_the_line_column_and_problem(string yaml, int line, int column, string expected)
    {
        (ScenarioFile? scenario, IReadOnlyList<ScenarioError> errors) = ScenarioFile.Parse("s.yaml", yaml);
        Assert.Null(scenario);
        ScenarioError error = Assert.Single(errors, e => e.Message.Contains(expected, StringComparison.Ordinal));
        Assert.Equal((line, column), (error.Line, error.Column));
        Assert.StartsWith($"s.yaml:{line}:{column}: ", error.Format("s.yaml"));
    }

    [Fact]
    public void A_list_of_workloads_becomes_one_weighted_workload()
    {
        const string yaml = """
            name: t
            workload:
              - { name: transfer, weight: 70 }
              - { name: "gas:100000", weight: 20 }
              - name: erc20
            phases:
              - { rate: 100, duration: 10s }
            """;
        (ScenarioFile? scenario, IReadOnlyList<ScenarioError> errors) = ScenarioFile.Parse("s.yaml", yaml);
        Assert.Empty(errors);
        string[] args = scenario!.ToRunArgs([]);
        int at = Array.IndexOf(args, "--workload");
        Assert.Equal("transfer@70+gas:100000@20+erc20@1", args[at + 1]);
    }

    [Fact]
    public void Every_problem_is_reported_not_only_the_first()
    {
        (_, IReadOnlyList<ScenarioError> errors) = ScenarioFile.Parse("s.yaml", "wallets: 0\ntx_type: 3\nphases:\n  - { rate: -5, duration: 5s }\n");
        Assert.Equal([1, 2, 4], errors.Select(e => e.Line).Order().ToArray());
    }

    [Fact]
    public void A_sequencer_set_up_becomes_send_rpc_and_confirm_ws()
    {
        (ScenarioFile? scenario, IReadOnlyList<ScenarioError> errors) = ScenarioFile.Parse("s.yaml",
            "name: x\nnodes: [http://a:8545]\nsend_rpc: http://builder:8545\nconfirm_ws: [ws://a:9000/preconf, wss://b/flashblocks]\nphases:\n  - { rate: 10, duration: 5s }\n");
        Assert.Empty(errors);
        string[] args = scenario!.ToRunArgs([]);
        Assert.Equal("http://builder:8545", args[Array.IndexOf(args, "--send-rpc") + 1]);
        Assert.Equal("ws://a:9000/preconf,wss://b/flashblocks", args[Array.IndexOf(args, "--confirm-ws") + 1]);
    }

    [Fact]
    public void Settings_become_run_flags_and_the_command_line_wins()
    {
        const string yaml = """
            name: t
            nodes: [http://127.0.0.1:8545, http://127.0.0.1:8546]
            wallets: 50
            seed: scenario
            workload: { mix: { mint: 50, burn: 30, transfer: 20 } }
            reads: { rate: 20, method: eth_getBalance }
            send: { batch: 25 }
            expect: { success: 99.5, inclusion_p99_ms: 3000, read_success: 99.9, read_p99_ms: 50 }
            phases:
              - { name: main, shape: constant, rate: 300, duration: 30s }
            """;
        (ScenarioFile? scenario, IReadOnlyList<ScenarioError> errors) = ScenarioFile.Parse("t.yaml", yaml);
        Assert.Empty(errors);
        Assert.Equal(
            ["--rpc", "http://127.0.0.1:8545,http://127.0.0.1:8546", "--wallets", "50", "--seed", "scenario", "--workload", "mix:mint=50,burn=30,transfer=20",
             "--read-rate", "20", "--read-method", "eth_getBalance", "--batch", "25", "--expect-success", "99.5", "--expect-inclusion-p99-ms", "3000",
             "--expect-read-success", "99.9", "--expect-read-p99-ms", "50",
             "--shape", "constant", "--rate", "300", "--duration", "30s"],
            scenario!.ToRunArgs([]));
        // The command line's flags replace the file's (a rate or shape there replaces the whole phase's shape).
        Assert.Equal(
            ["--rpc", "http://127.0.0.1:8545,http://127.0.0.1:8546", "--seed", "scenario", "--workload", "mix:mint=50,burn=30,transfer=20",
             "--read-rate", "20", "--read-method", "eth_getBalance", "--batch", "25", "--expect-success", "99.5", "--expect-inclusion-p99-ms", "3000",
             "--expect-read-success", "99.9", "--expect-read-p99-ms", "50",
             "-w", "10", "--shape", "ramp:1..2", "--duration=5s"],
            scenario.ToRunArgs(["-w", "10", "--shape", "ramp:1..2", "--duration=5s"]));
        // --count on the command line ends the phase by count instead of its duration.
        Assert.DoesNotContain("--duration", scenario.ToRunArgs(["--count", "100"]));
    }
}
