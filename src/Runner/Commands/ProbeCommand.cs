using System.CommandLine;
using System.Globalization;
using FastLoad.Engine.Load;
using FastLoad.Engine.Probe;
using FastLoad.Engine.Rpc;
using FastLoad.Runner.Logging;
using FastLoad.Runner.Report;

namespace FastLoad.Runner.Commands;

/// <summary><c>fastload probe</c>: the highest rate the node sustains, found by steps, bisection and a hold inside one run.</summary>
public static class ProbeCommand
{
    // The shared flags (LoadFlags) whose help says something else for a probe than for a run.
    private static readonly Dictionary<string, string> OwnHelp = new()
    {
        ["--rpc"] = "Node URL(s), comma-separated (as for run). Default: start a local anvil.",
        ["--workload"] = "What to send (as for run): transfer, erc20, mix:..., deploy, gas:N, storage:N, call:ADDR:SIG[:ARGS], or several by weight: transfer@70+erc20@30.",
        ["--wallets"] = "Wallets.",
        ["--gas-price-gwei"] = "Gas price for legacy/2930 (default: 10x the node's + tip: full blocks raise the base fee).",
        ["--max-fee-gwei"] = "Max fee per gas for 1559/7702 (default: 10x the node's price + tip).",
        ["--quiet"] = "Print the step table and the answer only.",
        ["--no-live"] = "Plain progress lines, once a second, even on a terminal.",
        ["--allow-mainnet"] = "Allow a public mainnet chain id; refused otherwise.",
        ["--out"] = "Results file (DuckDB): every tx, each phase (phases table) and the answer (runs.sustainable_rate). Default: results/<start time>.duckdb.",
        ["--no-results"] = "Write no results file.",
        ["--ws"] = "newHeads WebSocket URL(s), one per --rpc node; 'none' to poll for blocks.",
        ["--node-timeout"] = "End the probe when a node gives no answer for this long.",
        ["--read-rate"] = "Also send this many JSON-RPC reads/s (total, split evenly across nodes) through every phase, on connections of their own, each read's latency and outcome recorded (default: none). Reads do not enter a phase's verdict.",
    };

    public static Command Create()
    {
        var load = new LoadFlags("probe", OwnHelp) { FeeHeadroom = 10 };
        var targetSuccess = new Option<double>("--target-success") { Description = "A step passes only if at least this % of its sent txs are accepted.", DefaultValueFactory = _ => 99.5 };
        var targetInclusion = new Option<double?>("--target-inclusion-p99-ms") { Description = "A step passes only if its inclusion p99 is at most this (default: 3 block intervals, measured on the chain)." };
        var startRate = new Option<double>("--start-rate") { Description = "The first step's tx/s.", DefaultValueFactory = _ => 100 };
        var maxRate = new Option<double>("--max-rate") { Description = "The highest tx/s tried (also sizes the funding).", DefaultValueFactory = _ => 20_000 };
        var factor = new Option<double>("--factor") { Description = "Each passing step multiplies the rate by this.", DefaultValueFactory = _ => 2 };
        var step = new Option<string>("--step") { Description = "How long each step (and bisect step) sends: 10s, 500ms, 1m.", DefaultValueFactory = _ => "10s" };
        var precision = new Option<double>("--precision") { Description = "Bisect until the last good and first bad rate are within this % of each other.", DefaultValueFactory = _ => 5 };
        var hold = new Option<string>("--hold") { Description = "How long the confirming hold sends.", DefaultValueFactory = _ => "20s" };
        var command = new Command("probe", """
            Find the highest rate the node sustains. Steps the rate up (x --factor from --start-rate, each step --step
            long) until a step fails, bisects between the last good and the first bad rate (to within --precision %), then holds
            the answer for --hold to confirm it (a failed hold is tried again 10 % lower, up to 3 times). A step passes
            when at least --target-success % of its txs are accepted, 99 % of them are included, their inclusion p99
            (from intended send time) is within --target-inclusion-p99-ms, and our backlog in the node's pool does not
            grow from the middle of the step to its end. One wallet set, funded once; every phase is a row of the
            results file's phases table, and txs.phase says which phase each tx belongs to.
            The last line reads `sustainable: N tx/s`.

            Examples:
              fastload probe                                       a local anvil (1 s blocks)
              fastload probe --rpc http://127.0.0.1:8545           a node of yours, transfers from 100 tx/s up
              fastload probe --rpc http://127.0.0.1:8545 --start-rate 500 --max-rate 5000 --step 20s --hold 60s
              fastload probe --rpc http://127.0.0.1:8545 --workload erc20 --target-inclusion-p99-ms 2000
              fastload probe --rpc http://127.0.0.1:8545 --out probe.duckdb --quiet | tail -1   (prints: sustainable: N tx/s)
              fastload probe --rpc http://127.0.0.1:8545 --send-rpc http://127.0.0.1:9000   txs to a sequencer or builder;
                  nonces, blocks, receipts and funding still from --rpc
              fastload probe --rpc http://127.0.0.1:8545 --read-rate 200 --read-method eth_call   the ceiling with 200 reads/s
                  beside the txs (each read in the results file's reads view)
            Exit codes: 0 an answer was found, 1 none (the lowest step failed, or no hold passed), 2 bad input or setup
            error, 3 native library missing, 4 stopped early (a node gave no answer for --node-timeout, or the results
            file could not be written), 130 Ctrl-C, 143 SIGTERM (the steps so far are kept in the results file).
            """)
        {
            targetSuccess, targetInclusion, startRate, maxRate, factor, step, hold, precision,
        };
        load.AddTo(command);
        command.SetAction(parse =>
        {
            RunHost host = RunHost.Console;
            RunOptions options;
            ProbeSettings settings;
            string? resultsPath;
            CliLog log;
            (int? Port, string Host, TimeSpan Linger) metricsAt;
            try
            {
                metricsAt = load.Metrics.Read(parse);
                settings = new ProbeSettings
                {
                    StartRate = parse.GetValue(startRate),
                    MaxRate = parse.GetValue(maxRate),
                    Factor = parse.GetValue(factor),
                    Step = RunCommand.ParseDuration(parse.GetValue(step)!, "--step"),
                    Hold = RunCommand.ParseDuration(parse.GetValue(hold)!, "--hold"),
                    TargetSuccessPercent = parse.GetValue(targetSuccess),
                    TargetInclusionP99Ms = parse.GetValue(targetInclusion),
                    Precision = parse.GetValue(precision) / 100,
                };
                settings.Validate();
                resultsPath = load.ResultsPath(parse);
                // The probe's shape sets every phase's rate and length.
                options = load.Read(parse) with { Rate = null, Duration = null };
                (options, log) = load.Finish(parse, options, host);
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"fastload probe: {EnvironmentOptions.Annotate(e.Message)}");
                return 2;
            }
            using CliLog _ = log;

            // /metrics first: a port in use fails before anything is created or sent.
            var monitor = new RunMonitor();
            if (!MetricsServing.TryStart(metricsAt, "probe", log.Logger, registry => new Monitoring.RunExporter(monitor, registry), out MetricsServing? metrics)) return 2;
            using MetricsServing? metricsToStop = metrics;

            bool quietOutput = options.Quiet;
            IRunProgressView view = options.Progress!;
            var probe = new ProbeController(settings)
            {
                // Each phase's line as it is judged (the live view shows it above its panel).
                OnStep = s => { if (!quietOutput) view.Message(ProbeTable.Line(s)); },
            };
            options = options with { Shape = probe.Shape };

            Engine.Results.ResultsWriter? writer = null;
            if (resultsPath is not null)
            {
                try
                {
                    writer = Engine.Results.ResultsWriter.Create(resultsPath, RunCommand.RunInfoFor(options, RunCommand.CommandLineForRecord(), targetRate: null),
                        nextFreeName: load.DefaultResultsName(parse)); // a default name another run took meanwhile: the next free one
                }
                catch (IOException e)
                {
                    Console.Error.WriteLine($"fastload probe: {e.Message}");
                    return 2;
                }
            }

            bool finished = false;
            using var stop = new SignalStop(log.Logger, "the probe ends without an answer; draining");
            try
            {
                if (!quietOutput)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"Probing: from {settings.StartRate:N0} tx/s, x{settings.Factor:0.##} per step up to {settings.MaxRate:N0}, {settings.Step.TotalSeconds:0.###} s a step, hold {settings.Hold.TotalSeconds:0.###} s; targets: success >= {settings.TargetSuccessPercent:0.##} %, inclusion p99 <= {(settings.TargetInclusionP99Ms is double t ? $"{t:N0} ms" : $"{settings.InclusionBlocks:0.#} block intervals")}, backlog not growing"));
                RunSummary summary = new LoadRun(options) { Writer = writer, Probe = probe, Monitor = metrics is null ? null : monitor }.RunAsync(stop.Token).GetAwaiter().GetResult();
                ProbeResult result = probe.Result;
                bool stoppedEarly = summary.Interrupted || summary.AbortReason is not null;
                double? answer = stoppedEarly ? null : result.Sustainable;
                Engine.Results.RunFinal final = RunCommand.FinalOf(summary, []) with { Phases = result.Steps, SustainableRate = answer };
                writer?.Finish(final);
                finished = true;
                if (!quietOutput) Console.Write(summary.Format());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Probe: {result.Steps.Count} phases, block interval {(result.BlockSeconds is double b ? $"{b:0.###} s" : "not measured")}, inclusion p99 target {(result.InclusionTargetMs is double target ? $"{target:N0} ms" : "-")}"));
                Console.Write(ProbeTable.Format(result.Steps));
                // The summary has the results line (with its warnings); --quiet prints no summary, so it goes here.
                if (writer is not null && quietOutput) Console.WriteLine($"  results      {writer.Path}{(writer.Failure is Exception f ? $" (writing failed part-way: {f.Message})" : "")}");
                int exitCode;
                if (summary.Interrupted)
                {
                    Console.Error.WriteLine($"fastload probe: interrupted after {result.Steps.Count} phases, no answer{(writer is not null ? $"; the phases so far are in {writer.Path}" : "")}");
                    exitCode = stop.ExitCodeOr130;
                }
                else if (summary.AbortReason is not null || writer?.Failure is not null)
                {
                    Console.Error.WriteLine($"fastload probe: stopped early ({summary.AbortReason ?? writer!.Failure!.Message}), no answer");
                    exitCode = 4;
                }
                else if (answer is double rate)
                {
                    if (result.AtCap) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  note         every step passed up to --max-rate {settings.MaxRate:N0}: the node may sustain more"));
                    ProbeStep? held = result.Steps.LastOrDefault(s => s.Kind == ProbeKind.Hold && s.Pass);
                    if (held is { BaseFeeStartGwei: double from, BaseFeeEndGwei: double to } && to > 1.5 * from)
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"  note         the base fee rose from {from:0.###} to {to:0.###} gwei over the hold: at this rate blocks are above the chain's gas target (half the gas limit, EIP-1559), so the node sustains it only while senders pay a fee that rises up to 12.5 % a block"));
                    Console.WriteLine(ProbeTable.Answer(rate));
                    exitCode = 0;
                }
                else
                {
                    Console.Error.WriteLine($"fastload probe: {result.Failure}");
                    exitCode = 1;
                }
                log.Logger.RunEnd(exitCode == 0 ? "complete" : summary.Interrupted ? "interrupted" : "failed",
                    summary.Sent, summary.Accepted, summary.Errors, summary.Included, summary.SendDuration.TotalSeconds, exitCode);
                return exitCode;
            }
            catch (Exception e) when (RunCommand.IsRunFailure(e))
            {
                Console.Error.WriteLine($"fastload probe: {e.Message}");
                log.Logger.CommandFailed("probe", e.Message);
                return 2;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("fastload probe: interrupted before sending started");
                return stop.ExitCodeOr130;
            }
            finally
            {
                metrics?.Linger(stop.Token);
                if (!finished) RunCommand.CloseUnfinished(writer, "probe", Console.Error, log.Logger);
            }
        });
        return command;
    }
}
