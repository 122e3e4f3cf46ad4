using System.Globalization;
using FastLoad.Benchmarks.Metrics;
using FastLoad.Engine.Metrics;
using HdrHistogram;

namespace FastLoad.Benchmarks.Macro;

/// <summary>
/// Percentile error of each histogram against the exact percentiles (sorted samples) of the benchmarks' synthetic
/// latency distribution, and each one's memory. Prints a Markdown table.
/// Usage: bench latency-error [samples=1000000]
/// </summary>
public static class LatencyError
{
    public static int Run(string[] args)
    {
        int count = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        long[] values = LatencySamples.Generate(count);
        long[] sorted = (long[])values.Clone();
        Array.Sort(sorted);

        var ours = new LatencyHistogram();
        var hdr3 = new LongHistogram(LatencyHistogram.DefaultHighestTrackableMicros, 3);
        var hdr2 = new LongHistogram(LatencyHistogram.DefaultHighestTrackableMicros, 2);
        foreach (long v in values)
        {
            ours.Record(v);
            hdr3.RecordValue(v);
            hdr2.RecordValue(v);
        }
        LongHistogram logged = HdrLogWriter.ToHdr(ours); // what --hdr-log writes (ns)

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"{count:N0} samples (log-normal, median 2 ms, σ = 1, plus 1 % stalls of 50-500 ms), values in µs"));
        Console.WriteLine();
        Console.WriteLine("| percentile | exact (µs) | LatencyHistogram | HdrHistogram, 3 digits | HdrHistogram, 2 digits | --hdr-log (from LatencyHistogram) |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | ---: | ---: |");
        var worst = new double[4];
        foreach (double p in new[] { 50.0, 90, 99, 99.9, 99.99, 100 })
        {
            long exact = p == 100 ? sorted[^1] : sorted[Math.Max(0, (int)Math.Ceiling(p / 100 * count) - 1)];
            double[] got = [Math.Min(ours.ValueAtPercentile(p), ours.Max), hdr3.GetValueAtPercentile(p), hdr2.GetValueAtPercentile(p), logged.GetValueAtPercentile(p) / 1000.0];
            var cells = new List<string>();
            for (int i = 0; i < got.Length; i++)
            {
                double error = (got[i] - exact) / exact;
                worst[i] = Math.Max(worst[i], Math.Abs(error));
                cells.Add(string.Create(c, $"{got[i]:N0} ({error:+0.00%;-0.00%;0.00%})"));
            }
            Console.WriteLine(string.Create(c, $"| p{p} | {exact:N0} | {string.Join(" | ", cells)} |"));
        }
        Console.WriteLine(string.Create(c, $"| worst error | | {worst[0]:P2} | {worst[1]:P2} | {worst[2]:P2} | {worst[3]:P2} |"));
        Console.WriteLine(string.Create(c, $"| memory (counts) | | {ours.BucketCount * 8:N0} B | {hdr3.GetEstimatedFootprintInBytes():N0} B | {hdr2.GetEstimatedFootprintInBytes():N0} B | |"));
        return 0;
    }
}
