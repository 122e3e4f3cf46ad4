using System.Diagnostics;
using System.Globalization;
using DuckDB.NET.Data;
using FastLoad.Benchmarks.DuckDb;
using FastLoad.Engine.DuckDb;
using FastLoad.Engine.Results;

namespace FastLoad.Benchmarks.Macro;

/// <summary>
/// FastLoad's chunk appender vs DuckDB.NET's <c>DuckDBAppender</c> on the same job as <see cref="AppendBenchmarks"/>
/// (1M <c>tx_log</c> rows into a fresh results schema, memory or file with the final checkpoint), in alternating pairs
/// within one process, so a machine whose load drifts (other work on the VM) weighs on both sides alike. Prints each
/// pair, then the medians of rows/s and of the per-pair ratio, and the managed bytes each side allocated per row.
/// Usage: bench append-ratio [pairs=9] [memory|file=memory] [rows=1000000]
/// </summary>
public static class AppendRatio
{
    public static int Run(string[] args)
    {
        int pairs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 9;
        string target = args.Length > 1 ? args[1] : "memory";
        int rows = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1_000_000;
        var hashes = new byte[1024 * 32];
        new Random(42).NextBytes(hashes);
        string dir = Path.Combine(Path.GetTempPath(), "fastload-append-ratio-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            // Warm-up: JIT tiers for both loops.
            Time(dir, "memory", hashes, 200_000, chunk: true);
            Time(dir, "memory", hashes, 200_000, chunk: false);
            var chunk = new List<double>();
            var net = new List<double>();
            var ratio = new List<double>();
            long chunkBytes = 0, netBytes = 0;
            for (int pair = 0; pair < pairs; pair++)
            {
                // Alternate which side goes first, so neither always follows the other's checkpoint.
                (double rate, long bytes) a, b;
                if (pair % 2 == 0) { a = Time(dir, target, hashes, rows, chunk: true); b = Time(dir, target, hashes, rows, chunk: false); }
                else { b = Time(dir, target, hashes, rows, chunk: false); a = Time(dir, target, hashes, rows, chunk: true); }
                chunk.Add(a.rate);
                net.Add(b.rate);
                ratio.Add(a.rate / b.rate);
                chunkBytes += a.bytes;
                netBytes += b.bytes;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"pair {pair + 1}: chunk appender {a.rate,12:N0} rows/s   DuckDB.NET appender {b.rate,12:N0} rows/s   ratio {a.rate / b.rate:F2}"));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"median ({target}, {rows:N0} rows, {pairs} pairs): chunk appender {Stats.Median(chunk):N0} rows/s, DuckDB.NET appender {Stats.Median(net):N0} rows/s, "
                + $"ratio {Stats.Median(ratio):F2} (range {ratio.Min():F2}-{ratio.Max():F2}); allocated per row: chunk {chunkBytes / (double)(pairs * (long)rows):F1} B, DuckDB.NET {netBytes / (double)(pairs * (long)rows):F1} B"));
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (double Rate, long Bytes) Time(string dir, string target, byte[] hashes, int rows, bool chunk)
    {
        string path = Path.Combine(dir, $"run-{Guid.NewGuid():N}.duckdb");
        try
        {
            using DuckDBConnection db = DuckDbSql.Open(target == "file" ? path : DuckDbSql.Memory);
            ResultsSchema.Create(db);
            long bytes = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            if (chunk) AppendBenchmarks.AppendChunk(db, hashes, rows);
            else AppendBenchmarks.AppendDuckDbNet(db, hashes, rows);
            if (target == "file") db.Execute("CHECKPOINT");
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
            return (rows / seconds, bytes);
        }
        finally
        {
            foreach (string f in Directory.GetFiles(dir)) File.Delete(f);
        }
    }

}
