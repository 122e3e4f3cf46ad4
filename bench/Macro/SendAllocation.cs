using System.Globalization;
using FastLoad.Engine.Load;
using FastLoad.Engine.Sink;

namespace FastLoad.Benchmarks.Macro;

/// <summary>
/// Bytes allocated per tx on the whole live path (sign → ring → batch → HTTP → response → outcome), against an
/// in-process null sink: two --max runs of different lengths, so set-up costs cancel out in the difference.
/// Usage: bench send-alloc [short=20000] [long=120000]
/// </summary>
public static class SendAllocation
{
    public static int Run(string[] args)
    {
        long shortCount = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
        long longCount = args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 120_000;
        SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        string url = sink.Url.ToString();
        Measure(url, 5_000); // warm-up: JIT tiers, pools
        long a = Measure(url, shortCount);
        long b = Measure(url, longCount);
        sink.DisposeAsync().AsTask().GetAwaiter().GetResult();
        double perTx = (b - a) / (double)(longCount - shortCount);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{shortCount:N0} txs: {a:N0} B; {longCount:N0} txs: {b:N0} B; marginal {perTx:F2} B per tx (whole process: signers, senders, transport, sink)"));
        return 0;
    }

    private static long Measure(string url, long count)
    {
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        new LoadRun(new RunOptions { Rpc = [url], Rate = null, Duration = null, Count = count, Wallets = 1000, Quiet = true, FunderKey = FastLoad.Engine.Nodes.LocalAnvil.DevKey })
            .RunAsync(CancellationToken.None).GetAwaiter().GetResult();
        return GC.GetTotalAllocatedBytes(precise: true) - before;
    }
}
