using System.Diagnostics;
using System.Globalization;
using FastLoad.Benchmarks.Signing;

namespace FastLoad.Benchmarks.Macro;

/// <summary>
/// The engine's former <c>LibraryImport</c>s (<see cref="FormerSecp256k1Binding"/>) vs Secp256k1.Net's C# API (what it uses now) over the same library file, in alternating short
/// rounds within one process (the order flips every pair), so a machine whose load drifts weighs on both alike;
/// <see cref="SignBindingBenchmarks"/> runs each method in one block, which load drift skews. Prints the medians of
/// signs/s (sign-only) and full EIP-1559 txs/s for each binding and of the per-pair ratios.
/// Usage: bench sign-binding [pairs=21] [round-ms=300]
/// </summary>
public static class SignBindingRatio
{
    public static int Run(string[] args)
    {
        int pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 21;
        int roundMs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300;
        // One instance per thread: each has its own buffers and its own package context, as a signer thread would.
        var benches = new SignBindingBenchmarks[2];
        for (int i = 0; i < benches.Length; i++)
        {
            benches[i] = new SignBindingBenchmarks();
            benches[i].Setup();
        }
        SignBindingBenchmarks bench = benches[0], other = benches[1];
        try
        {
            (string Name, Func<int> Own, Func<int> Package, int PerCall)[] kinds =
            [
                ("sign only (signs/s)", bench.SignFormerLibraryImport, bench.SignPackageApi, 1),
                ("full 1559 tx (tx/s)", bench.FullTxFormerLibraryImport, bench.FullTxPackageApi, 1),
                ("full 1559 tx, 2 threads (tx/s)", () => OnTwoThreads(bench.FullTxFormerLibraryImport, other.FullTxFormerLibraryImport),
                    () => OnTwoThreads(bench.FullTxPackageApi, other.FullTxPackageApi), 2 * PerThread),
            ];
            foreach (var (_, own, package, perCall) in kinds) { Rate(own, perCall, 500); Rate(package, perCall, 500); } // warm-up: JIT tiers
            Console.WriteLine($"{pairs} pairs of {roundMs} ms rounds, order flipped each pair; libsecp256k1 mapped from: "
                              + string.Join(", ", Engine.Native.NativeLibraries.MappedFiles("libsecp256k1.so")));
            Console.WriteLine("| | former LibraryImport (median) | Secp256k1.Net API (median) | package / former, median of pairs (range) |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            foreach (var (name, own, package, perCall) in kinds)
            {
                var owns = new List<double>();
                var packages = new List<double>();
                var ratios = new List<double>();
                for (int pair = 0; pair < pairs; pair++)
                {
                    double o, p;
                    if (pair % 2 == 0) { o = Rate(own, perCall, roundMs); p = Rate(package, perCall, roundMs); }
                    else { p = Rate(package, perCall, roundMs); o = Rate(own, perCall, roundMs); }
                    owns.Add(o);
                    packages.Add(p);
                    ratios.Add(p / o);
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {Stats.Median(owns):N0} | {Stats.Median(packages):N0} | {Stats.Median(ratios):F3} ({ratios.Min():F2}–{ratios.Max():F2}) |"));
            }
            return 0;
        }
        finally
        {
            foreach (SignBindingBenchmarks b in benches) b.Cleanup();
        }
    }

    private const int PerThread = 256;

    // PerThread txs on each of two threads at once (a thread per call: its start costs well under 1 % of the call).
    private static int OnTwoThreads(Func<int> first, Func<int> second)
    {
        var t = new Thread(() => { for (int i = 0; i < PerThread; i++) second(); });
        t.Start();
        for (int i = 0; i < PerThread; i++) first();
        t.Join();
        return 2 * PerThread;
    }

    private static double Rate(Func<int> op, int perCall, int ms)
    {
        long until = Stopwatch.GetTimestamp() + ms * Stopwatch.Frequency / 1000;
        long n = 0;
        long start = Stopwatch.GetTimestamp();
        long now;
        do
        {
            int calls = perCall == 1 ? 64 : 1;
            for (int i = 0; i < calls; i++) op();
            n += calls * perCall;
            now = Stopwatch.GetTimestamp();
        }
        while (now < until);
        return n * (double)Stopwatch.Frequency / (now - start);
    }

}
