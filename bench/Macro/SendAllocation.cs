using System.Globalization;
using FastLoad.Engine.Load;
using FastLoad.Engine.Sink;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ZLogger;

namespace FastLoad.Benchmarks.Macro;

/// <summary>
/// Bytes allocated per tx on the whole live path (sign → ring → batch → HTTP → response → outcome), against an
/// in-process null sink: two --max runs of different lengths, so set-up costs cancel out in the difference.
/// With --log, the same twice more with the run's events going to a ZLogger JSON-lines file at debug level (what
/// `fastload run --log FILE --log-level debug` sets up), then without again, to show that logging costs nothing per tx.
/// With --shape TEXT (e.g. ramp:10000..30000, poisson, burst:5000/1s) the runs follow that load shape (rates from the
/// text, --rate 20,000 for poisson, ramps over 30 s) instead of --max: the schedule's path is on the per-tx path too.
/// With --workload erc20 (or mix:...), the same with token txs: the token workload is given a made-up token address
/// instead of its set-up (the sink is no chain), so every tx carries calldata through the composer.
/// Usage: bench send-alloc [short=20000] [long=120000] [--log] [--shape TEXT] [--workload erc20|mix:...]
/// </summary>
public static class SendAllocation
{
    private static FastLoad.Engine.Workloads.WorkloadSpec Workload = FastLoad.Engine.Workloads.WorkloadSpec.Transfer;

    public static int Run(string[] args)
    {
        bool withLog = args.Contains("--log");
        int w = Array.IndexOf(args, "--workload");
        if (w >= 0)
        {
            if (w + 1 >= args.Length) throw new ArgumentException("--workload needs a name: erc20 or mix:mint=50,burn=30,transfer=20");
            Workload = FastLoad.Engine.Workloads.WorkloadSpec.Parse(args[w + 1]) with { PresetToken = FastLoad.Engine.Primitives.Address.Parse("0x5fbdb2315678afecb367f032d93f642f64180aa3") };
            args = [.. args[..w], .. args[(w + 2)..]];
        }
        int shapeAt = Array.IndexOf(args, "--shape");
        string? shapeText = shapeAt >= 0 && shapeAt + 1 < args.Length ? args[shapeAt + 1] : null;
        s_shape = shapeText is null ? null : FastLoad.Engine.Shapes.LoadShape.Parse(shapeText, 20_000, TimeSpan.FromSeconds(30), 1);
        string[] numbers = args.Where((a, i) => a != "--log" && (shapeAt < 0 || (i != shapeAt && i != shapeAt + 1))).ToArray();
        long shortCount = numbers.Length > 0 ? long.Parse(numbers[0], CultureInfo.InvariantCulture) : 20_000;
        long longCount = numbers.Length > 1 ? long.Parse(numbers[1], CultureInfo.InvariantCulture) : 120_000;
        SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        string url = sink.Url.ToString();
        Measure(url, 5_000, NullLogger.Instance); // warm-up: JIT tiers, pools
        Report(Workload.IsTransfer ? "no logger" : $"no logger, --workload {Workload.Text}", url, shortCount, longCount, NullLogger.Instance);
        if (withLog)
        {
            string path = Path.Combine(Path.GetTempPath(), $"fastload-send-alloc-{Environment.ProcessId}.jsonl");
            using (ILoggerFactory factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Debug).AddZLoggerFile(path, o => o.UseJsonFormatter())))
            {
                ILogger logger = factory.CreateLogger("fastload.run");
                Measure(url, 5_000, logger);
                Report("ZLogger JSON file, debug", url, shortCount, longCount, logger);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  (the log file got {File.ReadLines(path).Count():N0} lines over the 3 logged runs)"));
            File.Delete(path);
            Report("no logger, again", url, shortCount, longCount, NullLogger.Instance); // brackets the logged pair: drift shows here
        }
        sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return 0;
    }

    private static FastLoad.Engine.Shapes.LoadShape? s_shape;

    private static void Report(string what, string url, long shortCount, long longCount, ILogger logger)
    {
        long a = Measure(url, shortCount, logger);
        long b = Measure(url, longCount, logger);
        double perTx = (b - a) / (double)(longCount - shortCount);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}{(s_shape is null ? ", --max" : $", --shape {s_shape.Text}")}: {shortCount:N0} txs: {a:N0} B; {longCount:N0} txs: {b:N0} B; marginal {perTx:F2} B per tx (whole process: signers, senders, transport, sink)"));
    }

    private static long Measure(string url, long count, ILogger logger)
    {
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        new LoadRun(new RunOptions { Rpc = [url], Rate = null, Shape = s_shape, Duration = null, Count = count, Wallets = 1000, Quiet = true, Workload = Workload, FunderKey = FastLoad.Engine.Nodes.LocalAnvil.DevKey, Logger = logger })
            .RunAsync(CancellationToken.None).GetAwaiter().GetResult();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }
}
