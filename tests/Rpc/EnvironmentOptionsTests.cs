using System.CommandLine;
using FastLoad.Runner.Commands;
using FastLoad.Tests.Infrastructure;

namespace FastLoad.Tests.Rpc;

/// <summary>FASTLOAD_&lt;OPTION&gt;: options from the environment, the command line winning.</summary>
public class EnvironmentOptionsTests
{
    private static string[] Apply(Command command, string[] args, Dictionary<string, string> env) =>
        EnvironmentOptions.Apply(command, args, name => env.GetValueOrDefault(name));

    [Fact]
    public void Variables_become_options_the_command_line_does_not_give()
    {
        Command run = RunCommand.Create();
        var env = new Dictionary<string, string>
        {
            ["FASTLOAD_RATE"] = "500", ["FASTLOAD_SEND_RPC"] = "http://builder:8545", ["FASTLOAD_DURATION"] = "1m",
            ["FASTLOAD_QUIET"] = "true", ["FASTLOAD_NO_LIVE"] = "false", ["FASTLOAD_PHASE"] = "warm=constant@50/10s\nclimb=ramp:50..500/60s",
            ["FASTLOAD_TEST_SLOW_SIGNING_US"] = "100", // a hidden test switch: not settable
        };
        string[] args = Apply(run, ["--rate=100", "-d", "5s", "--rpc", "http://a:8545"], env);
        Assert.Equal(["--rate=100", "-d", "5s", "--rpc", "http://a:8545"], args[..5]);
        // In the order the command lists its options; false switches and hidden test switches add nothing.
        Assert.Equal(["--phase", "warm=constant@50/10s", "--phase", "climb=ramp:50..500/60s", "--quiet", "--send-rpc", "http://builder:8545"], args[5..]);
        ParseResult parsed = run.Parse(args);
        Assert.Empty(parsed.Errors);
        Assert.Equal("http://builder:8545", parsed.GetValue<string?>("--send-rpc"));
        Assert.Equal(100, parsed.GetValue<double?>("--rate"));                 // the command line won
        Assert.Equal("5s", parsed.GetValue<string?>("--duration"));          // by its alias too
        Assert.True(parsed.GetValue<bool>("--quiet"));
        Assert.False(parsed.GetValue<bool>("--no-live"));
    }

    [Fact]
    public void Options_after_a_double_dash_stay_arguments()
    {
        string[] args = Apply(RunCommand.Create(), ["--", "--rate"], new() { ["FASTLOAD_RATE"] = "7" });
        Assert.Equal(["--rate", "7", "--", "--rate"], args);
    }

    [Fact]
    public void A_bad_switch_value_names_the_variable_and_a_bad_value_is_traced_to_it()
    {
        var e = Assert.Throws<ArgumentException>(() => Apply(RunCommand.Create(), [], new() { ["FASTLOAD_MAX"] = "maybe" }));
        Assert.Equal("FASTLOAD_MAX='maybe' is not a switch value: set it to true or false (it stands for --max)", e.Message);
        Apply(RunCommand.Create(), [], new() { ["FASTLOAD_RATE"] = "-1" });
        Assert.Equal("--rate must be positive (from FASTLOAD_RATE)", EnvironmentOptions.Annotate("--rate must be positive"));
        Assert.Equal("--rate-x is unknown", EnvironmentOptions.Annotate("--rate-x is unknown")); // another flag: as it is
    }

    [Fact]
    public void Every_variable_is_distinct_within_a_command_and_listed_in_the_readme()
    {
        string readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md"));
        var root = new RootCommand { RunCommand.Create(), ProbeCommand.Create(), SinkCommand.Create(), PresignCommand.Create(), SweepCommand.Create() };
        foreach (string name in EnvironmentOptions.Commands)
        {
            Command command = root.Subcommands.Single(c => c.Name == name);
            var variables = EnvironmentOptions.Settable(command).Select(EnvironmentOptions.VariableFor).ToList();
            Assert.Equal(variables.Count, variables.Distinct().Count());
            foreach (string variable in variables) Assert.Contains($"`{variable}`", readme);
        }
    }

    [Fact]
    public async Task A_bad_value_from_the_environment_is_one_line_naming_the_variable()
    {
        ProcessResult result = await ProcessRunner.RunFastloadAsync("", new Dictionary<string, string> { ["FASTLOAD_RATE"] = "fast" }, "run", "--rpc", "http://127.0.0.1:1");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("fastload run: Cannot parse argument 'fast' for option '--rate' (from FASTLOAD_RATE) (see fastload run --help)", result.StdErr.Trim());
        result = await ProcessRunner.RunFastloadAsync("", new Dictionary<string, string> { ["FASTLOAD_CONFIRM_WS"] = "http://stream" }, "run", "--rpc", "http://127.0.0.1:1");
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("fastload run: --confirm-ws 'http://stream' is not a ws:// or wss:// URL: give e.g. ws://127.0.0.1:8546/stream (from FASTLOAD_CONFIRM_WS)", result.StdErr.Trim());
    }
}
