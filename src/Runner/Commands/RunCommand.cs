using System.CommandLine;
using System.Globalization;
using System.Numerics;
using FastLoad.Engine.Load;
using FastLoad.Engine.Primitives;
using FastLoad.Engine.Rpc;
using FastLoad.Engine.Wallets;
using FastLoad.Engine.Workloads;
using FastLoad.Runner.Logging;
using Microsoft.Extensions.Logging;

namespace FastLoad.Runner.Commands;

/// <summary><c>fastload run</c>: the load run.</summary>
public static class RunCommand
{
    public static Command Create() => Create(RunHost.Console);

    /// <summary>The run command writing to and stopped by <paramref name="host"/> (the console, or a run of <c>fastload serve</c>).</summary>
    internal static Command Create(RunHost host)
    {
        var load = new LoadFlags("run");
        var rate = new Option<double?>("--rate") { Description = "Total tx/s, split evenly across nodes (default 200)." };
        var shape = new Option<string>("--shape") { Description = "When txs are due: constant (--rate), ramp:FROM..TO (tx/s, over --duration), steps:FROM..TO:STEP/HOLD, burst:N/EVERY, poisson (mean --rate) or per-block:K.", DefaultValueFactory = _ => "constant" };
        var phases = new Option<string[]>("--phase") { Description = "A phase of the run: NAME=SHAPE[@RATE]/DURATION, repeated for phases one after another (e.g. --phase warm=constant@50/10s --phase climb=ramp:50..500/60s); each phase's txs are counted apart (phases table, txs.phase). Excludes --shape, --rate, --duration, --count, --max." };
        var shapeSeed = new Option<ulong?>("--shape-seed") { Description = "Seed of the poisson shape's arrivals (default: derived from --seed)." };
        var max = new Option<bool>("--max") { Description = "Send as fast as the node(s) take, no rate limit." };
        var duration = new Option<string?>("--duration", "-d") { Description = "How long to send: 30s, 2m, 1h (default 10s unless --count)." };
        var count = new Option<long?>("--count", "-n") { Description = "Stop after this many txs sent." };
        var shard = new Option<string>("--shard") { Description = "This process's shard i/N (0-based), one process per machine: wallets i, i+N, i+2N, ... and 1/N of --rate, --shape and --count, which are for all shards together.", DefaultValueFactory = _ => "0/1" };
        var startAt = new Option<string?>("--start-at") { Description = "Begin sending at this instant, set-up done before (so shards on several machines begin together): ISO 8601 UTC (2026-12-01T10:00:00Z) or unix seconds." };
        var periodicResync = new Option<bool>("--periodic-resync") { Description = "Also resync each wallet's nonce from the node every --resync-every txs (default: only after errors)." };
        var resyncEvery = new Option<int>("--resync-every") { Description = "K for --periodic-resync.", DefaultValueFactory = _ => 20 };
        var sweep = new Option<bool>("--sweep") { Description = "After the run, return what is left in the wallets to the funder." };
        var nodeChoice = new Option<string>("--node-choice") { Description = "affinity (each wallet always uses one node) or round-robin (nodes must share a mempool).", DefaultValueFactory = _ => "affinity" };
        var replay = new Option<FileInfo?>("--replay") { Description = "Send the txs of a file made by `fastload presign` instead of signing (its seed, wallets and tx type apply)." };
        var hdrLog = new Option<string?>("--hdr-log") { Description = "Also write the latency histograms (ack, inclusion; per node) as an HdrHistogram interval log, one interval a second, for HDR tools." };
        var expectTps = new Option<double?>("--expect-tps") { Description = "Verdict: at least this many accepted tx/s, or exit 1." };
        var expectP99 = new Option<double?>("--expect-p99-ms") { Description = "Verdict: ack latency p99 (from intended send time) at most this many ms." };
        var expectSuccess = new Option<double?>("--expect-success") { Description = "Verdict: at least this % of sent txs accepted (e.g. 99.5)." };
        var expectInclusion = new Option<double?>("--expect-inclusion-p99-ms") { Description = "Verdict: inclusion latency p99 at most this many ms (and every accepted tx included)." };
        var expectReadSuccess = new Option<double?>("--expect-read-success") { Description = "Verdict: at least this % of the reads sent answered ok (needs --read-rate; e.g. 99.9)." };
        var expectReadP99 = new Option<double?>("--expect-read-p99-ms") { Description = "Verdict: read latency p99 (from each read's intended time) at most this many ms (needs --read-rate)." };
        var reuseSetup = new Option<FileInfo?>("--reuse-setup") { Description = "Results file of an earlier run with the same --workload: reuse its deployed contracts (their code is checked) instead of deploying again." };
        var ledgerSample = new Option<int?>("--ledger-sample") { Description = "The post-run ledger check (erc20, mix) compares N wallets drawn at random instead of all." };
        // Test only (the bottleneck verdict's tests): burn this much CPU per signed tx, a slow signer on purpose. Hidden from --help.
        var testSlowSigning = new Option<int>("--test-slow-signing-us") { Hidden = true };
        var receipts = new Option<string?>("--receipts") { Description = "Fetch the receipts of this share of the included txs after the run (e.g. 10%, 100%), filling txs.gas_used and txs.status (success or reverted). Default: 100% for gas:N and call workloads, 0% otherwise." };
        var command = new Command("run", """
            Run a load: derive and fund wallets, sign ahead on every core, send batched eth_sendRawTransaction
            over pipelined HTTP/1.1 at a smooth rate, keep nonces right, print a summary. Ctrl-C stops cleanly.

            Examples:
              fastload run                                        local anvil, 200 tx/s for 10 s
              fastload run --rpc http://127.0.0.1:8545 --rate 1000 --duration 1m --wallets 500
              fastload run --rpc http://a:8545,http://b:8545 --rate 2000 --count 100000
              fastload run --rpc http://127.0.0.1:9545 --max --duration 20s   (e.g. against `fastload sink`)
              fastload run --rate 500 --out run.duckdb --expect-success 99.5 --expect-p99-ms 50   (exit 1 on FAIL)
              fastload run --shape ramp:100..1000 --duration 60s        tx/s rising linearly from 100 to 1,000
              fastload run --shape steps:1000..5000:1000/30s           1,000, 2,000 ... 5,000 tx/s, 30 s each (150 s)
              fastload run --shape burst:500/5s --duration 30s          500 txs at once every 5 s
              fastload run --shape poisson --rate 300                   Poisson arrivals, mean 300 tx/s
              fastload run --shape per-block:200                        200 txs each time a new block is seen
              fastload run --rate 500 --duration 5m --metrics-port 9464   /metrics for Prometheus while it runs (README "Metrics")
              fastload run scenarios/smoke.yaml --rpc http://127.0.0.1:8545   a scenario file (see `fastload scenario check`);
                  flags given here override the file's
              fastload run --rpc https://rpc.example/v1 --header 'Authorization: Bearer $RPC_TOKEN' --rate 100
                  (https; the token is read from the environment variable RPC_TOKEN, so it stays out of argv and results)
              fastload run --rpc https://user:pass@a.example/,https://b.example/ --header '1=X-Api-Key: env:B_KEY'
                  (basic auth for node 0 from its URL; a header for node 1 only)
              fastload run --rpc https://127.0.0.1:9545 --ca-cert sink-cert.pem --max   (a self-signed endpoint, trusted by its PEM)
            Every tx is written to a DuckDB results file (see `fastload query` and `fastload report`).
            Exit codes: 0 done (all verdicts PASS), 1 a verdict FAILed, 2 bad input or setup error, 3 native library missing,
            4 stopped early (a node gave no answer for --node-timeout, or the results file could not be written),
            130 interrupted by Ctrl-C, 143 by SIGTERM (both after the summary is printed and the results file closed).
            --duration is a promise: at the deadline sending stops whatever the node does; answers still in flight
            get at most 10 s more.
            The funder key comes from FASTLOAD_FUNDER_KEY, --funder-key-file or --funder-mnemonic-file [--funder-index N],
            never from the command line; with the local anvil, its funded dev account is used.
            Every option can also be set in the environment as FASTLOAD_<NAME> (--rate: FASTLOAD_RATE, --send-rpc:
            FASTLOAD_SEND_RPC); the command line wins.
            """)
        {
            rate, shape, phases, shapeSeed, max, duration, count, shard, startAt, periodicResync, resyncEvery, replay, sweep, nodeChoice, hdrLog,
            expectTps, expectP99, expectSuccess, expectInclusion, expectReadSuccess, expectReadP99, reuseSetup, ledgerSample, receipts, testSlowSigning,
        };
        load.AddTo(command);
        command.SetAction(parse =>
        {
            RunOptions options;
            RunExpectations expectations;
            string? resultsPath;
            CliLog log;
            (int? Port, string Host, TimeSpan Linger) metricsAt;
            try
            {
                metricsAt = load.Metrics.Read(parse);
                expectations = new RunExpectations
                {
                    Tps = Positive(parse.GetValue(expectTps), "--expect-tps"),
                    AckP99Ms = Positive(parse.GetValue(expectP99), "--expect-p99-ms"),
                    SuccessPercent = parse.GetValue(expectSuccess) is double pct && (pct <= 0 || pct > 100) ? throw new ArgumentException("--expect-success is a percentage: give a value in (0, 100]") : parse.GetValue(expectSuccess),
                    InclusionP99Ms = Positive(parse.GetValue(expectInclusion), "--expect-inclusion-p99-ms"),
                    ReadSuccessPercent = parse.GetValue(expectReadSuccess) is double readPct && (readPct <= 0 || readPct > 100 || !double.IsFinite(readPct))
                        ? throw new ArgumentException("--expect-read-success is a percentage: give a value in (0, 100]") : parse.GetValue(expectReadSuccess),
                    ReadP99Ms = Positive(parse.GetValue(expectReadP99), "--expect-read-p99-ms"),
                };
                resultsPath = load.ResultsPath(parse);
                bool isMax = parse.GetValue(max);
                double? rateValue = parse.GetValue(rate);
                if (isMax && rateValue is not null) throw new ArgumentException("--rate and --max exclude each other: pick one");
                if (rateValue is <= 0) throw new ArgumentException("--rate must be positive");
                long? countValue = parse.GetValue(count);
                if (countValue is <= 0) throw new ArgumentException("--count must be positive");
                string? durationText = parse.GetValue(duration);
                FileInfo? replayFile = parse.GetValue(replay);
                if (replayFile is { Exists: false }) throw new ArgumentException($"--replay {replayFile.FullName} does not exist");
                // A replay runs until its file is sent, unless told otherwise.
                string shapeText = parse.GetValue(shape)!.Trim();
                string shapeName = shapeText.Split(':')[0];
                if (isMax && shapeName != "constant") throw new ArgumentException($"--max and --shape {shapeText} exclude each other: --max sends as fast as the node takes, a shape says when each tx is due");
                if (rateValue is not null && shapeName is not ("constant" or "poisson")) throw new ArgumentException($"--rate does not apply to --shape {shapeText}: its rates are in the shape itself (e.g. ramp:100..1000)");
                TimeSpan? givenDuration = durationText is not null ? ParseDuration(durationText) : null;
                string[] phaseTexts = parse.GetValue(phases) ?? [];
                if (phaseTexts.Length > 0 && (isMax || rateValue is not null || shapeText != "constant" || durationText is not null || countValue is not null))
                    throw new ArgumentException("--phase gives each phase its shape, rate and duration: drop --shape, --rate, --duration, --count and --max");
                Engine.Shapes.LoadShape? shapeValue = isMax ? null
                    : phaseTexts.Length > 0 ? ParsePhases(phaseTexts, parse.GetValue(shapeSeed) ?? Engine.Shapes.LoadShape.SeedFrom(parse.GetValue(load.Seed)!))
                    : Engine.Shapes.LoadShape.Parse(shapeText, rateValue ?? 200, givenDuration, parse.GetValue(shapeSeed) ?? Engine.Shapes.LoadShape.SeedFrom(parse.GetValue(load.Seed)!));
                // steps imply their duration (one hold per level) unless --duration is given.
                TimeSpan? durationValue = givenDuration ?? shapeValue?.ImpliedDuration ?? (countValue is null && replayFile is null ? TimeSpan.FromSeconds(10) : null);
                RunOptions shared = load.Read(parse, expandEnvironment: host.CommandLine is null); // a served run reads no variable of the service
                if (parse.GetValue(resyncEvery) < 1) throw new ArgumentException("--resync-every must be at least 1");
                Shard shardValue = Shard.Parse(parse.GetValue(shard)!);
                if (replayFile is null) shardValue.EnsureOwnsWallets(shared.Wallets);
                DateTimeOffset? startAtValue = parse.GetValue(startAt) is string startText ? ParseStartAt(startText, DateTimeOffset.UtcNow) : null;
                WorkloadSpec workloadSpec = shared.Workload;
                if (replayFile is not null && !workloadSpec.IsTransfer)
                    throw new ArgumentException($"--replay sends the presigned ETH transfers of its file: --workload {workloadSpec.Text} does not apply to it (presigned files hold transfers only)");
                FileInfo? reuseFile = parse.GetValue(reuseSetup);
                if (reuseFile is not null && workloadSpec.Name is not ("erc20" or "mix" or "gas" or "storage"))
                    throw new ArgumentException("--reuse-setup reuses the contracts of a workload that deploys one: give --workload erc20, mix, gas:N or storage:N too");
                if (reuseFile is { Exists: false }) throw new ArgumentException($"--reuse-setup {reuseFile.FullName} does not exist: give the results file (.duckdb) of an earlier run");
                IReadOnlyList<DeployedContract> reused = reuseFile is null ? [] : ReuseSetup.Read(reuseFile.FullName);
                int? ledgerSampleValue = parse.GetValue(ledgerSample);
                if (ledgerSampleValue is < 1) throw new ArgumentException("--ledger-sample must be at least 1");
                if (ledgerSampleValue is not null && workloadSpec.IsTransfer) throw new ArgumentException("--ledger-sample applies to the post-run check of a contract workload: give --workload too");
                if (expectations.AnyRead && shared.ReadRate == 0)
                    throw new ArgumentException($"{(expectations.ReadSuccessPercent is not null ? "--expect-read-success" : "--expect-read-p99-ms")} judges read traffic: give --read-rate R too (reads/s)");
                double? receiptsValue = parse.GetValue(receipts) is string receiptsText ? ParsePercent(receiptsText, "--receipts") : null;
                options = shared with
                {
                    Rate = shapeValue is Engine.Shapes.ConstantShape or Engine.Shapes.PoissonShape ? rateValue ?? 200 : null,
                    Shape = shapeValue,
                    Duration = durationValue,
                    Count = countValue,
                    ReuseSetup = reused,
                    LedgerSample = ledgerSampleValue,
                    Shard = shardValue,
                    StartAt = startAtValue,
                    PeriodicResync = parse.GetValue(periodicResync) ? parse.GetValue(resyncEvery) : 0,
                    ReplayFile = replayFile?.FullName,
                    Sweep = parse.GetValue(sweep),
                    RoundRobin = parse.GetValue(nodeChoice) switch
                    {
                        "affinity" => false,
                        "round-robin" => true,
                        var other => throw new ArgumentException($"--node-choice '{other}' is unknown: use affinity or round-robin"),
                    },
                    ReceiptsPercent = receiptsValue,
                    TestSignDelay = TimeSpan.FromMicroseconds(Math.Max(0, parse.GetValue(testSlowSigning))),
                };
                // Last: the funder key, the view and the log file, opened only once every other flag is good.
                (options, log) = load.Finish(parse, options, host);
            }
            catch (ArgumentException e)
            {
                host.Error.WriteLine($"fastload run: {EnvironmentOptions.Annotate(e.Message)}");
                return 2;
            }
            // Disposed on every way out (after the summary, on exit 4, 130, 143 and on errors): the log file ends complete.
            using CliLog _ = log;

            // /metrics first: a port in use fails before anything is created or sent.
            RunMonitor monitor = host.Monitor ?? new RunMonitor();
            if (!MetricsServing.TryStart(metricsAt, "run", log.Logger, registry => new Monitoring.RunExporter(monitor, registry), out MetricsServing? metrics)) return 2;
            using MetricsServing? metricsToStop = metrics;

            // The results file is created before anything starts, so a bad path fails fast and nothing is lost later.
            Engine.Results.ResultsWriter? writer = null;
            if (resultsPath is not null)
            {
                try
                {
                    writer = Engine.Results.ResultsWriter.Create(resultsPath,
                        RunInfoFor(options, host.CommandLine is { } served ? CommandLineForRecord(served) : CommandLineForRecord(),
                            (options.Shape?.NominalRate(options.Duration) ?? options.Rate) * options.Shard.Fraction), // this shard's part
                        nextFreeName: load.DefaultResultsName(parse)); // a default name another run took meanwhile: the next free one
                }
                catch (IOException e)
                {
                    host.Error.WriteLine($"fastload run: {e.Message}");
                    log.Logger.CommandFailed("run", e.Message);
                    return 2;
                }
            }

            Engine.Metrics.HdrLogWriter? hdr = null;
            if (parse.GetValue(hdrLog) is string hdrPath)
            {
                try
                {
                    hdr = Engine.Metrics.HdrLogWriter.Create(hdrPath);
                }
                catch (IOException e)
                {
                    writer?.Dispose();
                    if (writer is not null) DeleteUnused(writer.Path);
                    host.Error.WriteLine($"fastload run: {e.Message}");
                    log.Logger.CommandFailed("run", e.Message);
                    return 2;
                }
            }
            using Engine.Metrics.HdrLogWriter? hdrToClose = hdr;

            host.Started?.Invoke(writer?.Path); // every flag is good and the results file exists: the run has begun
            bool finished = false;
            using var stop = new SignalStop(log.Logger, "no more signing, draining in-flight requests", host.Stop);
            try
            {
                RunSummary summary = new LoadRun(options) { Writer = writer, HdrLog = hdr, Monitor = metrics is null && host.Monitor is null ? null : monitor }.RunAsync(stop.Token).GetAwaiter().GetResult();
                IReadOnlyList<VerdictLine> verdicts = Verdicts.Evaluate(expectations, summary with { ResultsFailed = summary.ResultsFailed || writer?.Failure is not null, DroppedRecords = writer?.Dropped ?? summary.DroppedRecords });
                if (summary.Check is WorkloadCheck ledger) // a workload's check is a verdict of its own: a mismatch fails the run (exit 1)
                    verdicts = [.. verdicts, new VerdictLine($"{ledger.Name} mismatches", 0, ledger.Mismatches.Count + (ledger.ExpectedSum == ledger.ActualSum ? 0 : 1), ledger.Passed,
                        "=", ledger.Name switch { "checks" => "across the parts", "deploy" => "contracts", "gas" => "receipts", "storage" => "txs", "call" => "reverted calls", _ => "wallets" })];
                Engine.Results.RunFinal final = FinalOf(summary, verdicts);
                writer?.Finish(final);
                finished = true;
                if (writer is not null) log.Logger.ResultsWritten(writer.Path, writer.Rows, writer.Failure is null ? final.Status : "failed");
                summary = summary with { ResultsFailed = writer?.Failure is not null, DroppedRecords = writer?.Dropped ?? summary.DroppedRecords };
                host.Out.Write(summary.Format());
                if (summary.Bottleneck is { } bound) host.Out.WriteLine(Report.BottleneckText.Line(bound)); // the summary's last line
                if (hdr is not null) host.Out.WriteLine($"Latency histograms (HdrHistogram log, {hdr.Intervals} intervals): {hdr.Path}");
                if (writer?.Failure is Exception failed)
                    host.Error.WriteLine($"fastload run: writing results failed part-way ({failed.Message}); {writer.Path} keeps the rows committed before that");
                host.Out.Write(Verdicts.Format(verdicts));
                int exitCode = summary.Interrupted ? stop.ExitCodeOr130 // a signal's 130/143; a served run stopped through the API: 130
                    : summary.AbortReason is not null || summary.ResultsFailed ? 4
                    : verdicts.All(v => v.Pass) ? 0 : 1;
                log.Logger.RunEnd(summary.AbortReason is not null ? "failed" : summary.Interrupted ? "interrupted" : "complete",
                    summary.Sent, summary.Accepted, summary.Errors, summary.Included, summary.SendDuration.TotalSeconds, exitCode);
                return exitCode;
            }
            catch (Exception e) when (IsRunFailure(e))
            {
                host.Error.WriteLine($"fastload run: {e.Message}");
                log.Logger.CommandFailed("run", e.Message);
                return 2;
            }
            catch (OperationCanceledException)
            {
                host.Error.WriteLine("fastload run: interrupted before sending started");
                log.Logger.CommandFailed("run", "interrupted before sending started");
                return stop.ExitCodeOr130;
            }
            finally
            {
                metrics?.Linger(stop.Token);
                if (!finished) CloseUnfinished(writer, "run", host.Error, log.Logger);
            }
        });
        return command;
    }

    /// <summary>--ws: null (none) = poll; empty = try ws:// (wss:// for https) on each node; else one ws:// or wss:// URL per node.</summary>
    internal static IReadOnlyList<string>? ParseWebSockets(string? text, int nodes)
    {
        if (text is null) return [];
        if (text.Trim() == "none") return null;
        string[] urls = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (string url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("ws" or "wss"))
                throw new ArgumentException($"--ws '{RpcEndpoint.Redacted(url)}' is not a ws:// or wss:// URL: give ws://host:port, or 'none' to poll");
            if (uri.UserInfo.Length > 0)
                throw new ArgumentException($"--ws '{RpcEndpoint.Redacted(url)}' holds user:password@: leave them out, the node's --rpc credentials and --header are sent with the WebSocket too");
        }
        if (urls.Length != Math.Max(1, nodes))
            throw new ArgumentException($"--ws gives {urls.Length} URL(s) for {Math.Max(1, nodes)} node(s): give one per --rpc node, in the same order");
        return urls;
    }

    /// <summary>--send-rpc: none, one URL for every node, or one per --rpc node (there must be --rpc nodes).</summary>
    internal static IReadOnlyList<string> ParseSendRpc(string? text, int nodes)
    {
        if (text is null) return [];
        string[] urls = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0) throw new ArgumentException("--send-rpc is empty: give the URL the txs are sent to (e.g. http://builder:8545)");
        if (nodes == 0) throw new ArgumentException("--send-rpc needs --rpc: the node that serves nonces, blocks and receipts for the endpoint the txs go to");
        if (urls.Length != 1 && urls.Length != nodes)
            throw new ArgumentException($"--send-rpc gives {urls.Length} URLs for {nodes} --rpc nodes: give one for all, or one per node in the same order");
        return urls;
    }

    /// <summary>--confirm-ws: ws:// or wss:// URLs, at most 64, no credentials in them.</summary>
    internal static IReadOnlyList<string> ParseConfirmStreams(string? text)
    {
        if (text is null) return [];
        string[] urls = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0) throw new ArgumentException("--confirm-ws is empty: give ws://host:port/path of a stream that mentions tx hashes");
        if (urls.Length > 64) throw new ArgumentException($"--confirm-ws gives {urls.Length} streams: at most 64");
        foreach (string url in urls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("ws" or "wss"))
                throw new ArgumentException($"--confirm-ws '{RpcEndpoint.Redacted(url)}' is not a ws:// or wss:// URL: give e.g. ws://127.0.0.1:8546/stream");
            if (uri.UserInfo.Length > 0)
                throw new ArgumentException($"--confirm-ws '{RpcEndpoint.Redacted(url)}' holds user:password@: leave them out and give --header 'Authorization: …' (headers for every node go to the streams too)");
        }
        return urls;
    }

    /// <summary>What ends a run or probe with one line and exit 2: a set-up, node, file or data problem (not a bug).</summary>
    internal static bool IsRunFailure(Exception e) =>
        e is RunSetupException or RpcTransportException or RpcException or FileNotFoundException or InvalidOperationException or TimeoutException or InvalidDataException or IOException;

    /// <summary>
    /// A run or probe that did not finish (an error, a signal before the summary): its results file keeps what was
    /// written, marked failed, and says where it is; one that never began sending is deleted (there is nothing to keep).
    /// </summary>
    internal static void CloseUnfinished(Engine.Results.ResultsWriter? writer, string command, TextWriter error, ILogger logger)
    {
        if (writer is null) return;
        writer.Dispose();
        if (writer.Begun)
        {
            error.WriteLine($"fastload {command}: results so far are in {writer.Path}");
            logger.ResultsWritten(writer.Path, writer.Rows, "failed");
        }
        else
        {
            DeleteUnused(writer.Path);
        }
    }

    internal static void DeleteUnused(string path)
    {
        File.Delete(path);
        File.Delete(path + ".wal");
    }

    private static double? Positive(double? value, string name) =>
        value is <= 0 ? throw new ArgumentException($"{name} must be positive") : value;

    /// <summary>results/20261122-083000.duckdb (with -2, -3... if that exists).</summary>
    internal static string DefaultResultsPath(DateTime utc)
    {
        string stem = Path.Combine("results", utc.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        string path = stem + ".duckdb";
        for (int i = 2; File.Exists(path); i++) path = $"{stem}-{i}.duckdb";
        return path;
    }

    /// <summary>
    /// The command line as typed, then the options taken from FASTLOAD_* variables (after "[environment]"), with the
    /// seed, header values, URL credentials and anything that looks like a private key blanked.
    /// </summary>
    internal static string CommandLineForRecord()
    {
        string[] typed = Environment.GetCommandLineArgs()[1..];
        return CommandLineForRecord(EnvironmentOptions.Added.Count == 0 ? typed : [.. typed, "[environment]", .. EnvironmentOptions.Added]);
    }

    /// <summary>As above for the given arguments (a served run's: <c>run</c> and its flags).</summary>
    public static string CommandLineForRecord(string[] commandLine)
    {
        string[] args = ConnectionFlags.RedactArguments(commandLine);
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--seed" && i + 1 < args.Length) args[++i] = "<redacted>";
            else if (args[i].StartsWith("--seed=", StringComparison.Ordinal) || args[i].StartsWith("--seed:", StringComparison.Ordinal)) args[i] = args[i][..7] + "<redacted>";
        }
        string line = "fastload " + string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
        return System.Text.RegularExpressions.Regex.Replace(line, "(0x)?[0-9a-fA-F]{64}", "<redacted>");
    }

    /// <summary>The run's row of the results file (runs) for <paramref name="o"/>; <paramref name="targetRate"/> null: no single rate.</summary>
    internal static Engine.Results.RunInfo RunInfoFor(RunOptions o, string commandLine, double? targetRate) => new()
    {
        RunId = Engine.Results.RunInfo.NewRunId(DateTime.UtcNow),
        CommandLine = commandLine,
        SettingsJson = SettingsJson(o),
        TxType = Engine.Requests.SignRequest.TypeName(o.TxType),
        WorkloadOp = o.Workload.Text,
        TargetRate = targetRate,
        Shard = o.Shard,
        Shape = o.Shape?.Text,
        ReadMethod = o.ReadRate > 0 ? Engine.Reads.ReadMethods.Name(o.ReadMethod) : null,
        ReadRate = o.ReadRate > 0 ? o.ReadRate : null,
        ReceiptsPercent = o.EffectiveReceiptsPercent,
    };

    internal static string SettingsJson(RunOptions o)
    {
        using var buffer = new MemoryStream();
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (o.Rate is double r) json.WriteNumber("rate", r); else json.WriteString("rate", o.Shape is null ? "max" : "shape");
            if (o.Shape is { } sh) json.WriteString("shape", sh.Text);
            if (o.Duration is TimeSpan d) json.WriteNumber("duration_s", d.TotalSeconds);
            if (o.Count is long n) json.WriteNumber("count", n);
            json.WriteNumber("wallets", o.Wallets);
            json.WriteNumber("signers", o.Signers);
            json.WriteString("tx_type", Engine.Requests.SignRequest.TypeName(o.TxType));
            json.WriteString("workload", o.Workload.Text);
            if (o.LedgerSample is int sample) json.WriteNumber("ledger_sample", sample);
            // The seed only as a hash: a run's settings are shared, and a secret seed should stay one.
            json.WriteString("seed_sha256", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(o.Seed))));
            json.WriteString("shard", o.Shard.ToString());
            if (o.StartAt is DateTimeOffset at) json.WriteString("start_at", RunOptions.FormatStartAt(at));
            json.WriteNumber("batch", o.Sender.Batch);
            json.WriteNumber("connections", o.Sender.Connections);
            json.WriteNumber("pipelining", o.Sender.Pipelining);
            json.WriteNumber("periodic_resync", o.PeriodicResync);
            json.WriteBoolean("round_robin", o.RoundRobin);
            if (o.ReplayFile is string f) json.WriteString("replay", f);
            if (o.ReadRate > 0)
            {
                json.WriteNumber("read_rate", o.ReadRate);
                json.WriteString("read_method", Engine.Reads.ReadMethods.Name(o.ReadMethod));
            }
            json.WriteNumber("receipts_percent", o.EffectiveReceiptsPercent);
            if (o.Rpc.Count == 0) json.WriteNumber("local_block_time_s", o.LocalBlockTime);
            if (o.SendRpc.Count > 0) json.WriteString("send_rpc", string.Join(',', o.SendRpc.Select(RpcEndpoint.Redacted)));
            if (o.ConfirmStreams.Count > 0) json.WriteString("confirm_ws", string.Join(',', o.ConfirmStreams.Select(RpcEndpoint.Redacted)));
            json.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>
    /// <c>--phase NAME=SHAPE[@RATE]/DURATION</c>, repeated: the phases in order as one sequence. The duration is after the
    /// last '/' (a burst's own '/' stays in the shape), the rate after '@' (constant needs one).
    /// </summary>
    public static Engine.Shapes.SequenceShape ParsePhases(IReadOnlyList<string> texts, ulong seed)
    {
        var list = new List<(string, Engine.Shapes.LoadShape, TimeSpan)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            int eq = text.IndexOf('=', StringComparison.Ordinal);
            int slash = text.LastIndexOf('/');
            if (eq <= 0 || slash < eq) throw new ArgumentException($"--phase '{text}': write NAME=SHAPE[@RATE]/DURATION, e.g. warm=constant@50/10s or climb=ramp:50..500/60s");
            string name = text[..eq].Trim();
            if (!System.Text.RegularExpressions.Regex.IsMatch(name, "^[A-Za-z0-9_.-]+$")) throw new ArgumentException($"--phase '{text}': a phase name is letters, digits, '-', '_' or '.'");
            if (!names.Add(name)) throw new ArgumentException($"--phase: two phases are named '{name}': give each its own name");
            string shapePart = text[(eq + 1)..slash].Trim();
            TimeSpan length = ParseDuration(text[(slash + 1)..].Trim(), $"--phase {name}'s duration");
            if (length <= TimeSpan.Zero) throw new ArgumentException($"--phase '{text}': the duration must be positive");
            double? phaseRate = null;
            int at = shapePart.IndexOf('@', StringComparison.Ordinal);
            if (at >= 0)
            {
                if (!double.TryParse(shapePart[(at + 1)..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double r) || !(r > 0) || !double.IsFinite(r))
                    throw new ArgumentException($"--phase '{text}': the rate after '@' must be a positive number (tx/s)");
                phaseRate = r;
                shapePart = shapePart[..at];
            }
            string shapeName = shapePart.Split(':')[0];
            if (shapeName is "constant" or "poisson" && phaseRate is null) throw new ArgumentException($"--phase '{text}': {shapeName} needs a rate: {name}={shapeName}@100/{text[(slash + 1)..]}");
            if (phaseRate is not null && shapeName is not ("constant" or "poisson")) throw new ArgumentException($"--phase '{text}': a rate does not apply to {shapePart}: its rates are in the shape itself");
            Engine.Shapes.LoadShape phaseShape;
            try
            {
                phaseShape = Engine.Shapes.LoadShape.Parse(shapePart, phaseRate, length, seed);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"--phase {name}: {e.Message}");
            }
            list.Add((name, phaseShape, length));
        }
        return new Engine.Shapes.SequenceShape(list);
    }

    internal static Engine.Results.RunFinal FinalOf(RunSummary s, IReadOnlyList<VerdictLine> verdicts)
    {
        return new Engine.Results.RunFinal
        {
            Status = s.AbortReason is not null ? "failed" : s.Interrupted ? "interrupted" : "complete",
            StatusReason = s.AbortReason,
            DurationSeconds = s.SendDuration.TotalSeconds,
            Late = s.Late, MaxLagMs = s.MaxLag.TotalMilliseconds, Unsent = s.Unsent, GapRepairs = s.Gaps.Resent,
            Sent = s.Sent, Accepted = s.Accepted, Errors = s.Errors, Included = s.Included, NotIncluded = s.NotIncluded,
            AckP50Ms = s.AckLatency?.MillisAtPercentile(50), AckP99Ms = s.AckLatency?.MillisAtPercentile(99),
            InclusionP50Ms = s.InclusionLatency?.MillisAtPercentile(50), InclusionP99Ms = s.InclusionLatency?.MillisAtPercentile(99),
            Verdicts = verdicts,
            Ledger = s.Check,
            Reads = s.Reads?.Sent, ReadErrors = s.Reads?.Errors,
            ReadP50Ms = s.Reads?.Latency.MillisAtPercentile(50), ReadP99Ms = s.Reads?.Latency.MillisAtPercentile(99),
            ReceiptsFetched = s.Receipts?.Fetched, Reverted = s.Receipts?.Reverted,
            Phases = s.Phases,
            WaitSigningMs = s.Bottleneck?.Evidence.WaitSigningMs, WaitNetworkMs = s.Bottleneck?.Evidence.WaitNetworkMs,
            RingEmptyPercent = s.Bottleneck?.Evidence.RingEmptyFraction * 100, RingFullPercent = s.Bottleneck?.Evidence.RingFullFraction * 100,
            SignerBusyPercent = s.Bottleneck?.Evidence.SignerBusyFraction * 100, CpuPercent = s.Bottleneck?.Evidence.CpuFraction * 100,
            BoundBy = s.Bottleneck is { } b ? Engine.Load.Bottleneck.Name(b.Bound) : null,
            BoundEvidence = s.Bottleneck is { } e ? Report.BottleneckText.Stored(e) : null,
            Preconfirmed = s.PreconfLatency?.Count,
            PreconfP50Ms = s.PreconfLatency?.MillisAtPercentile(50), PreconfP99Ms = s.PreconfLatency?.MillisAtPercentile(99),
            Streams = s.Streams.Select((st, i) => new Engine.Results.StreamFinal(i, st.Messages, st.Hashes, st.Preconfirmed,
                st.Latency.MillisAtPercentile(50), st.Latency.MillisAtPercentile(99), st.Connects, st.LastError)).ToArray(),
        };
    }

    /// <summary>
    /// <c>--start-at</c>: ISO 8601 with a zone (2026-12-01T10:00:00Z, 2026-12-01T11:00:00+01:00) or unix seconds
    /// (1764583200, 1764583200.5). A time more than <see cref="RunOptions.StartAtTolerance"/> before
    /// <paramref name="now"/> is refused: the run could not begin then.
    /// </summary>
    public static DateTimeOffset ParseStartAt(string text, DateTimeOffset now)
    {
        string t = text.Trim();
        DateTimeOffset at;
        if (double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double unix))
        {
            if (!(unix is > 0 and < 253_402_300_800)) throw new ArgumentException($"--start-at {text} is not a unix time in seconds");
            at = DateTimeOffset.UnixEpoch.AddTicks((long)Math.Round(unix * TimeSpan.TicksPerSecond));
        }
        else if (DateTimeOffset.TryParse(t, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at))
        {
            // A time without a zone would mean different instants on machines in different zones.
            if (!t.EndsWith('Z') && !t.EndsWith('z') && !System.Text.RegularExpressions.Regex.IsMatch(t, @"[+-]\d\d:?\d\d$"))
                throw new ArgumentException($"--start-at {text} has no time zone: write it in UTC with a Z, e.g. {RunOptions.FormatStartAt(now.AddMinutes(1)).Replace(".000", "", StringComparison.Ordinal)}");
        }
        else
        {
            throw new ArgumentException($"--start-at '{text}' is not a time: give ISO 8601 UTC (e.g. {RunOptions.FormatStartAt(now.AddMinutes(1))}) or unix seconds (e.g. {now.AddMinutes(1).ToUnixTimeSeconds()})");
        }
        if (at < now - RunOptions.StartAtTolerance)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"--start-at {RunOptions.FormatStartAt(at)} is {(now - at).TotalSeconds:N1} s in the past: give a time ahead of now with room for set-up (funding, signing ahead), e.g. date -u -d '+60 sec' +%FT%TZ"));
        return at;
    }

    /// <summary>The funder key from --funder-key-file or FASTLOAD_FUNDER_KEY; warns (one line) when the file is readable by others.</summary>
    internal static string? ReadFunderKey(FileInfo? file, string command = "run")
    {
        if (file is not null)
        {
            if (!file.Exists) throw new ArgumentException($"--funder-key-file {file.FullName} does not exist");
            WarnIfOthersCanRead(file, "--funder-key-file", command);
            return ReadSecretFile(file, "--funder-key-file", "a 0x private key").Trim();
        }
        string? env = Environment.GetEnvironmentVariable("FASTLOAD_FUNDER_KEY");
        return string.IsNullOrWhiteSpace(env) ? null : env.Trim();
    }

    /// <summary>
    /// The text of a small file holding a secret (a key, a mnemonic), read up to 4 KB: a larger one (or a device such as
    /// /dev/zero, which would never end) is one line naming what the file should hold, as is one that cannot be read.
    /// </summary>
    internal static string ReadSecretFile(FileInfo file, string flag, string holds)
    {
        const int Limit = 4096;
        try
        {
            using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
            var buffer = new byte[Limit + 1];
            int length = 0, read;
            while (length < buffer.Length && (read = stream.Read(buffer, length, buffer.Length - length)) > 0) length += read;
            if (length > Limit) throw new ArgumentException($"{flag} {file.FullName} is over 4 KB: it should hold {holds} and nothing else");
            return System.Text.Encoding.UTF8.GetString(buffer, 0, length);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"{flag} {file.FullName} cannot be read: {e.Message}");
        }
    }

    /// <summary>One warning line when a file holding a secret is readable by group or others.</summary>
    internal static void WarnIfOthersCanRead(FileInfo file, string flag, string command)
    {
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(file.FullName) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
            Console.Error.WriteLine($"fastload {command}: warning: {flag} {file.FullName} is readable by group or others (mode {Convert.ToString((int)File.GetUnixFileMode(file.FullName), 8)}): run chmod 600 {file.FullName}");
    }

    internal static UInt256? Gwei(decimal? gwei)
    {
        if (gwei is null) return null;
        if (gwei < 0) throw new ArgumentException("gas prices must not be negative");
        return UInt256.FromBigInteger(new BigInteger(decimal.Truncate(gwei.Value * 1_000_000_000m)));
    }

    /// <summary>"10%", "10 %" or "10": a share from 0 to 100.</summary>
    internal static double ParsePercent(string text, string flag)
    {
        string t = text.Trim();
        if (t.EndsWith('%')) t = t[..^1].TrimEnd();
        if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !(value is >= 0 and <= 100))
            throw new ArgumentException($"{flag} '{text}' is not a share from 0% to 100%: give e.g. {flag} 10% (0% fetches none, 100% every included tx)");
        return value;
    }

    /// <summary>"30s", "2m", "1h", "500ms", or plain seconds.</summary>
    public static TimeSpan ParseDuration(string text) => ParseDuration(text, "--duration");

    public static TimeSpan ParseDuration(string text, string flag)
    {
        string t = text.Trim().ToLowerInvariant();
        (string number, double scale) = t.EndsWith("ms", StringComparison.Ordinal) ? (t[..^2], 0.001)
            : t.EndsWith('s') ? (t[..^1], 1)
            : t.EndsWith('m') ? (t[..^1], 60)
            : t.EndsWith('h') ? (t[..^1], 3600)
            : (t, 1);
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || value <= 0)
            throw new ArgumentException($"{flag} '{text}' is not a duration: use e.g. 30s, 2m, 1h");
        return TimeSpan.FromSeconds(value * scale);
    }
}
