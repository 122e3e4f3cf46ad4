using System.CommandLine;
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
            """);
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(PresignCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(SignCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(SinkCommand.Create());
        root.Subcommands.Add(QueryCommand.Create());
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (Unwrap(e) is NativeLibraryMissingException missing)
        {
            Console.Error.WriteLine($"fastload: {missing.Message}");
            return 3;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("FASTLOAD_DEBUG") != "1")
        {
            Exception inner = Unwrap(e);
            Console.Error.WriteLine($"fastload: internal error: {inner.GetType().Name}: {inner.Message} (set FASTLOAD_DEBUG=1 for the stack trace)");
            return 70;
        }
    }

    private static Exception Unwrap(Exception e)
    {
        while (e is TypeInitializationException or AggregateException && e.InnerException is not null) e = e.InnerException;
        return e;
    }
}
