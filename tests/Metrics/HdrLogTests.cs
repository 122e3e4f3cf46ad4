using System.Globalization;
using System.Text.RegularExpressions;
using FastLoad.Engine.Load;
using FastLoad.Engine.Metrics;
using FastLoad.Engine.Sink;
using FastLoad.Tests.Infrastructure;
using HdrHistogram;

namespace FastLoad.Tests.Metrics;

/// <summary>
/// <c>--hdr-log</c>: the run's latency histograms as an HdrHistogram interval log, read back with HdrHistogram's own
/// <see cref="HistogramLogReader"/>: every sample is there, and the percentiles are the summary's within the
/// histograms' precision.
/// </summary>
public class HdrLogTests
{
    /// <summary>
    /// What the log may differ from the summary by: HDR's precision (3 digits: a bucket is at most 1/1024 of its value
    /// wide) plus, for an interval whose snapshot raced a writer, one <see cref="LatencyHistogram"/> bucket.
    /// </summary>
    private static double ToleranceMicros(double micros) =>
        micros / 1024 + LatencyHistogram.HighestEquivalentValue((long)micros) - LatencyHistogram.LowestEquivalentValue((long)micros) + 1;

    private static List<HistogramBase> ReadLog(string path)
    {
        using FileStream file = File.OpenRead(path);
        using var reader = new HistogramLogReader(file);
        return reader.ReadHistograms().ToList();
    }

    /// <summary>The intervals of one series (null tag: the untagged one) added together.</summary>
    private static LongHistogram Merge(List<HistogramBase> intervals, string? tag)
    {
        var merged = new LongHistogram(1, 4_294_967_296_000, HdrLogWriter.SignificantDigits);
        foreach (HistogramBase h in intervals)
            if (h.Tag == tag) merged.Add(h);
        return merged;
    }

    [Fact]
    public void A_histogram_converts_with_the_same_percentiles_count_and_max()
    {
        var random = new Random(1234);
        var ours = new LatencyHistogram();
        for (int i = 0; i < 200_000; i++) ours.Record((long)Math.Exp(4 + random.NextDouble() * random.NextDouble() * 10)); // 55 µs .. 1.2 s, skewed
        LongHistogram hdr = HdrLogWriter.ToHdr(ours);
        Assert.Equal(ours.Count, hdr.TotalCount);
        foreach (double p in new[] { 0.0, 50, 90, 99, 99.9, 99.99, 100 })
        {
            double expected = Math.Min(ours.ValueAtPercentile(p), ours.Max);
            double actual = hdr.GetValueAtPercentile(p) / 1000.0;
            Assert.True(Math.Abs(actual - expected) <= expected / 1024 + 1, $"p{p}: HDR {actual} µs, ours {expected} µs");
        }
        Assert.True(Math.Abs(hdr.GetMaxValue() / 1000.0 - ours.Max) <= ours.Max / 1024.0, $"max: HDR {hdr.GetMaxValue()} ns, ours {ours.Max} µs");
    }

    [Fact]
    public void The_log_is_ascii_in_format_1_3_with_tagged_series_and_its_intervals_add_up()
    {
        var ack = new LatencyHistogram();
        var inclusion = new LatencyHistogram();
        string path = TestPaths.NewFile(".hlog");
        using (HdrLogWriter log = HdrLogWriter.Create(path))
        {
            log.Begin(DateTime.UtcNow, System.Diagnostics.Stopwatch.GetTimestamp(), [new(null, ack), new("inclusion", inclusion)]);
            for (int i = 1; i <= 1000; i++) ack.RecordConcurrent(i * 37);
            inclusion.RecordConcurrent(1_500_000);
            log.Finish();
            for (int i = 0; i < 10; i++) ack.RecordConcurrent(1); // after Finish: not in the log
        }
        byte[] bytes = File.ReadAllBytes(path);
        Assert.All(bytes, b => Assert.True(b < 0x80, "the log must be ASCII (HDR tools in Java and Python read it so)"));
        string[] lines = File.ReadAllLines(path);
        Assert.Equal("#[Histogram log format version 1.3]", lines[0]);
        Assert.StartsWith("#[StartTime: ", lines[1]);
        Assert.StartsWith("#[BaseTime: ", lines[2]);
        Assert.Matches(@"^\d+\.\d{3},\d+\.\d{3},\d+\.\d{3},HIST", lines[^2]);
        Assert.Matches(@"^Tag=inclusion,\d+\.\d{3},\d+\.\d{3},150\d\.\d{3},HIST", lines[^1]); // Interval_Max in ms: 1.5 s

        // Each histogram: the V2 compressed cookie, the length, then a complete zlib stream (header, deflate, Adler-32)
        // holding the V2 encoding: what Python's zlib.decompress and the JavaScript reader insist on.
        byte[] payload = Convert.FromBase64String(lines[^1].Split(',')[^1]);
        Assert.Equal(0x1c849314, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(payload));
        Assert.Equal(payload.Length - 8, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4)));
        var inflated = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(new MemoryStream(payload, 8, payload.Length - 8), System.IO.Compression.CompressionMode.Decompress)) zlib.CopyTo(inflated);
        byte[] v2 = inflated.ToArray();
        Assert.Equal(0x1c849313, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(v2));
        Assert.Equal(Adler32(v2), System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(payload.Length - 4)));

        List<HistogramBase> intervals = ReadLog(path);
        Assert.Equal(1000, Merge(intervals, null).TotalCount);
        Assert.Equal(37_000_000, Merge(intervals, null).GetMaxValue(), 37_000_000 / 1024.0); // 37 ms in ns
        Assert.Equal(1, Merge(intervals, "inclusion").TotalCount);
    }

    private static uint Adler32(byte[] data)
    {
        uint a = 1, b = 0;
        foreach (byte x in data)
        {
            a = (a + x) % 65521;
            b = (b + a) % 65521;
        }
        return b << 16 | a;
    }

    [Fact]
    public async Task A_run_against_anvil_logs_every_ack_and_inclusion_with_the_summarys_percentiles()
    {
        await using AnvilNode node = await AnvilNode.StartAsync("--block-time", "1");
        string path = TestPaths.NewFile(".hlog");
        RunSummary summary;
        int intervals;
        using (HdrLogWriter log = HdrLogWriter.Create(path))
        {
            var run = new LoadRun(new RunOptions
            {
                Rpc = [node.Url.ToString()], Rate = 40, Duration = TimeSpan.FromSeconds(3), Wallets = 4,
                FunderKey = AnvilNode.DevKey, Seed = "hdr-log", Quiet = true,
            }) { HdrLog = log };
            summary = await run.RunAsync(CancellationToken.None);
            intervals = log.Intervals;
        }
        Assert.True(summary.Accepted > 0 && summary.Errors == 0, summary.Format());
        Assert.True(intervals >= 3, $"{intervals} intervals for a 3 s run (one a second, and the last)");

        List<HistogramBase> log2 = ReadLog(path);
        Assert.Equal(intervals * 3, log2.Count); // untagged ack, ack-sent, inclusion: one node, no per-node series
        LongHistogram ack = Merge(log2, null);
        LongHistogram inclusion = Merge(log2, "inclusion");
        Assert.Equal(summary.Accepted, ack.TotalCount); // every answer was an acceptance
        Assert.Equal(summary.AckLatency!.Count, ack.TotalCount);
        Assert.Equal(summary.Included, inclusion.TotalCount);
        AssertAgrees(summary.AckLatency, ack, "ack");
        AssertAgrees(summary.InclusionLatency!, inclusion, "inclusion");
        AssertAgrees(summary.AckLatencyFromSend!, Merge(log2, "ack-sent"), "ack-sent");
    }

    private static void AssertAgrees(LatencyHistogram summary, LongHistogram log, string what)
    {
        Assert.True(summary.Count > 0, what);
        foreach (double p in new[] { 50.0, 99 })
        {
            double expected = summary.MillisAtPercentile(p)!.Value * 1000;
            double actual = log.GetValueAtPercentile(p) / 1000.0;
            Assert.True(Math.Abs(actual - expected) <= ToleranceMicros(expected), $"{what} p{p}: log {actual} µs, summary {expected} µs");
        }
        double max = log.GetMaxValue() / 1000.0;
        Assert.True(Math.Abs(max - summary.Max) <= ToleranceMicros(summary.Max), $"{what} max: log {max} µs, summary {summary.Max} µs");
    }

    [Fact]
    public async Task Fastload_run_hdr_log_writes_a_log_whose_totals_and_percentiles_are_the_summarys()
    {
        await using SinkServer sink = SinkServer.Start(new SinkOptions { Port = 0 });
        string path = TestPaths.NewFile(".hlog");
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", new Dictionary<string, string> { ["FASTLOAD_FUNDER_KEY"] = AnvilNode.DevKey },
            "run", "--rpc", sink.Url.ToString(), "--rate", "400", "--duration", "2s", "--wallets", "8", "--hdr-log", path, "--no-results", "--no-live");
        Assert.True(run.ExitCode == 0, run.StdErr + run.StdOut);
        Assert.Contains($"intervals): {path}", run.StdOut);

        Match sent = Regex.Match(run.StdOut, @"sent +([\d,]+) +accepted ([\d,]+)");
        Match latency = Regex.Match(run.StdOut, @"ack latency +p50 ([\d.,]+) ms +p99 ([\d.,]+) ms +max ([\d.,]+) ms");
        Assert.True(sent.Success && latency.Success, run.StdOut);
        long accepted = long.Parse(sent.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.True(accepted > 0, run.StdOut);

        LongHistogram ack = Merge(ReadLog(path), null);
        Assert.Equal(accepted, ack.TotalCount);
        // The summary prints ms with one decimal: ±0.05 ms on top of the histograms' precision.
        (double P50, double P99, double Max) printed = (Ms(latency.Groups[1]), Ms(latency.Groups[2]), Ms(latency.Groups[3]));
        AssertClose(printed.P50, ack.GetValueAtPercentile(50) / 1000.0, "p50");
        AssertClose(printed.P99, ack.GetValueAtPercentile(99) / 1000.0, "p99");
        AssertClose(printed.Max, ack.GetMaxValue() / 1000.0, "max");

        static double Ms(Group g) => double.Parse(g.Value, NumberStyles.Float | NumberStyles.AllowThousands, CultureInfo.InvariantCulture) * 1000;
        static void AssertClose(double printedMicros, double logMicros, string what) =>
            Assert.True(Math.Abs(printedMicros - logMicros) <= 50 + ToleranceMicros(printedMicros), $"{what}: log {logMicros} µs, summary prints {printedMicros} µs");
    }

    [Fact]
    public async Task An_unwritable_hdr_log_is_one_line_and_exit_2()
    {
        string path = Path.Combine(TestPaths.NewFile(".file"), "log.hlog");
        File.WriteAllText(Path.GetDirectoryName(path)!, "a file, not a directory");
        ProcessResult run = await ProcessRunner.RunFastloadAsync("", "run", "--rpc", "http://127.0.0.1:1", "--hdr-log", path, "--no-results");
        Assert.Equal(2, run.ExitCode);
        string line = Assert.Single(run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"fastload run: --hdr-log {path} cannot be written: ", line);
    }
}
