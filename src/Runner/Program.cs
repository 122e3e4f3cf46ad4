using System.CommandLine;
using System.CommandLine.Parsing;
using FastLoad.Engine.Native;
using FastLoad.Runner.Commands;

namespace FastLoad.Runner;

public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("""
            FastLoad — signs EVM transactions at the speed of the hardware and pushes them into nodes.

            Examples:
              fastload run                                  start a local anvil, send 200 tx/s for 10 s, print the summary
              fastload run --rpc http://127.0.0.1:8545 --rate 1000 --duration 1m
              fastload demo                                 sign 100,000 EIP-1559 transfers on every core, print the rate
              fastload sign < requests.jsonl > signed.jsonl sign JSON-line tx requests from stdin
              fastload sign --verify < requests.jsonl       also decode each signed tx and check its sender
              fastload query 'results/*.duckdb' "SELECT run_id, outcome, count(*) FROM txs GROUP BY ALL"
              fastload report run.duckdb --html run.html    summary of a results file, and a page with charts
              fastload compare base.duckdb new.duckdb       side by side; exit 1 when NEW regressed
              fastload run scenarios/smoke.yaml             a scenario file (YAML); `fastload scenario check FILE` validates one
              fastload probe --rpc http://127.0.0.1:8545    the highest rate the node sustains; last line `sustainable: N tx/s`
              fastload serve                                a control API and a dashboard on http://127.0.0.1:7464/ (start, watch, stop runs)
            """);
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ProbeCommand.Create());
        root.Subcommands.Add(PresignCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(SignCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(SinkCommand.Create());
        root.Subcommands.Add(QueryCommand.Create());
        root.Subcommands.Add(ReportCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(ScenarioCommand.Create());
        root.Subcommands.Add(ServeCommand.Create());
        // `fastload`, `fastload --help`: an overview (a line per command), not every command's whole text.
        if (args.Length == 0 || (args.Length == 1 && args[0] is "--help" or "-h" or "-?" or "help"))
        {
            Console.Out.Write(Overview(root));
            return args.Length == 0 ? 1 : 0; // a bare `fastload` asked for nothing: as before, exit 1
        }
        try
        {
            // FASTLOAD_RATE=… and the like: options from the environment, added to the command line (which wins).
            if (args.Length >= 1 && Array.IndexOf(EnvironmentOptions.Commands, args[0]) >= 0)
            {
                Command command = root.Subcommands.First(c => c.Name == args[0]);
                int own = args[0] == "run" && args.Length >= 2 && !args[1].StartsWith('-') ? 2 : 1; // after `run FILE.yaml`
                try
                {
                    args = [.. args[..own], .. EnvironmentOptions.Apply(command, args[own..], Environment.GetEnvironmentVariable)];
                }
                catch (ArgumentException e)
                {
                    Console.Error.WriteLine($"fastload {args[0]}: {e.Message}");
                    return 2;
                }
            }
            // `fastload run FILE.yaml [flags]`: the scenario's settings as flags, the command line's own flags winning.
            if (args.Length >= 2 && args[0] == "run" && !args[1].StartsWith('-'))
            {
                (Scenarios.ScenarioFile? scenario, IReadOnlyList<Scenarios.ScenarioError> errors) = Scenarios.ScenarioFile.Load(args[1]);
                if (scenario is null)
                {
                    Console.Error.WriteLine($"fastload run: {ScenarioErrorLine(args[1], errors)}");
                    return 2;
                }
                args = ["run", .. scenario.ToRunArgs(args[2..])];
            }
            ParseResult parsed = root.Parse(args);
            // Bad flags/arguments are bad input like any other: one line, exit 2 (1 means "ran and failed", e.g. a
            // compare regression). A bare `fastload` still prints the help.
            if (parsed.Errors.Count > 0 && args.Length > 0)
            {
                Console.Error.WriteLine(ParseErrorLine(parsed));
                return 2;
            }
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Unwrap(e) is NativeLibraryMissingException missing)
        {
            Console.Error.WriteLine($"fastload: {missing.Message}");
            return 3;
        }
        catch (Exception e) when (Unwrap(e) is DllNotFoundException dll && dll.Message.Contains("duckdb", StringComparison.OrdinalIgnoreCase))
        {
            // DuckDB.NET's first call into libduckdb (e.g. a connection string parsed before DuckDbSql.EnsureAvailable ran).
            Console.Error.WriteLine($"fastload: {NativeLibraries.DuckDbMissing(dll).Message}");
            return 3;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("FASTLOAD_DEBUG") != "1")
        {
            Exception inner = Unwrap(e);
            Console.Error.WriteLine($"fastload: internal error: {inner.GetType().Name}: {inner.Message} (set FASTLOAD_DEBUG=1 for the stack trace)");
            return 70;
        }
    }

    /// <summary>The root help: what FastLoad is, the examples, and each command with a one-line summary.</summary>
    internal static string Overview(RootCommand root)
    {
        var text = new System.Text.StringBuilder();
        text.Append(root.Description!.TrimEnd()).Append("\n\nUsage:\n  fastload COMMAND [options]\n\nCommands:\n");
        int width = root.Subcommands.Max(c => c.Name.Length) + 2;
        foreach (Command command in root.Subcommands)
            text.Append("  ").Append(command.Name.PadRight(width)).Append(Summary(command)).Append('\n');
        text.Append("\nEach command's options, examples and exit codes: fastload COMMAND --help (e.g. fastload run --help).\n");
        return text.ToString();
    }

    private static string Summary(Command command) => command.Name switch
    {
        "run" => "send a load to one or many nodes and record every tx (default: a local anvil, 200 tx/s for 10 s)",
        "probe" => "find the highest rate a node sustains (last line: sustainable: N tx/s)",
        "presign" => "sign txs up front into a file, for run --replay",
        "sweep" => "return what is left in a run's wallets to the funder",
        "sign" => "sign JSON-line tx requests from stdin, on every core",
        "demo" => "measure the signing rate on every core (no node needed)",
        "sink" => "a null JSON-RPC node to measure FastLoad itself; with --faults, a misbehaving one",
        "query" => "SQL (DuckDB) over results files",
        "report" => "a results file's summary, and with --html a page of charts",
        "compare" => "two runs side by side; exit 1 when the new one regressed",
        "scenario" => "check scenario files (YAML) without running them",
        "serve" => "a control API and dashboard that start, watch and stop runs",
        _ => (command.Description ?? "").Split('\n')[0].Trim(),
    };

    /// <summary>The first of a scenario file's errors as one line (file:line:column: message), with how many more there are.</summary>
    internal static string ScenarioErrorLine(string path, IReadOnlyList<Scenarios.ScenarioError> errors) =>
        $"{errors[0].Format(path)}{(errors.Count > 1 ? $" (and {errors.Count - 1} more: fastload scenario check {path})" : "")}";

    /// <summary>A command line's first parse error as one line naming the command and where its help is.</summary>
    internal static string ParseErrorLine(ParseResult parsed)
    {
        string name = parsed.CommandResult.Command is RootCommand ? "fastload" : $"fastload {parsed.CommandResult.Command.Name}";
        ParseError error = parsed.Errors[0];
        foreach (ParseError e in parsed.Errors) // "Unrecognized command 'x'" says more than "Required command was not provided"
            if (e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) { error = e; break; }
        // "as expected type 'System.Nullable`1[System.Double]'" helps no user
        string message = EnvironmentOptions.Annotate(System.Text.RegularExpressions.Regex.Replace(error.Message, " as expected type '[^']*'", "").TrimEnd('.'));
        return $"{name}: {message} (see {name} --help)";
    }

    internal static Exception Unwrap(Exception e)
    {
        while (e is TypeInitializationException or AggregateException && e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
