using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using HdrHistogram;
using HdrHistogram.Encoding;
using HdrHistogram.Utilities;

namespace FastLoad.Engine.Metrics;

/// <summary>
/// Writes a run's latency histograms as an HdrHistogram interval log (format 1.3, each histogram V2-compressed and
/// base64-encoded, as HdrHistogram's <c>HistogramLogWriter</c> writes it), one interval per second and per series,
/// so standard HDR tools (<c>HistogramLogProcessor</c>, the hdrhistogram plotters, <c>hdrh</c>) read, merge and plot
/// them. Cold path: a background timer, once a second, and at the end of the run.
/// </summary>
/// <remarks>
/// <para><b>Values</b> are nanoseconds (the unit HDR tools assume by default: their output is in ms), so each
/// value is a whole number of microseconds × 1000. The first series is untagged (what tools show without
/// <c>-tag</c>): ack latency from the intended send time; the others carry a <c>Tag=</c>.</para>
/// <para><b>Precision.</b> The run records into <see cref="LatencyHistogram"/> (1 µs buckets below 256 µs, above that
/// 128 per power of two: a bucket is less than 0.79 % of its values wide). Each bucket's samples go into the HDR
/// histogram (3 significant digits: 0.1 %) at the bucket's upper edge, clamped to the largest value recorded (never
/// below the bucket's lower edge): the value <see cref="LatencyHistogram.ValueAtPercentile"/> and the run summary
/// report. So a percentile read from the log equals the summary's to within 0.1 %, and is at most one
/// <see cref="LatencyHistogram"/> bucket above the true value.</para>
/// <para><b>Intervals</b> are differences of snapshots of the live histograms, taken while response threads record
/// (a few samples may fall into the next second); the last interval is taken after the run, so the intervals of a
/// series add up to exactly the run's histogram.</para>
/// <para>Why not <c>HistogramLogWriter</c> itself: HdrHistogram.NET 2.5.0 writes the log as UTF-16, and its compressed
/// histograms are unfinished zlib streams (see <see cref="Compress"/>): the Python and JavaScript HDR readers refuse
/// both. The lines here are ASCII, in the same format, around HdrHistogram's own V2 encoder, compressed as a
/// complete zlib stream.</para>
/// </remarks>
public sealed class HdrLogWriter : IDisposable
{
    /// <summary>HDR histogram precision: 3 significant decimal digits.</summary>
    public const int SignificantDigits = 3;

    // HdrHistogram's V2 compressed-encoding cookie, with the V2 word-size marker (0x10) that every V2 writer sets.
    private const int V2CompressedCookie = 0x1c849314;

    /// <summary>Values are written in nanoseconds: µs × this.</summary>
    public const long NanosPerMicro = 1000;

    private static readonly long HighestTrackableNanos = (new LatencyHistogram().HighestTrackableMicros + 1) * NanosPerMicro;

    private readonly FileStream _file;
    private readonly StreamWriter _text;
    private readonly Lock _gate = new();
    private readonly LongHistogram _scratch = new(1, HighestTrackableNanos, SignificantDigits);
    private readonly MemoryStream _compressed = new();
    private ByteBuffer? _buffer;
    private byte[] _encoded = [];
    private Series[] _series = [];
    private long _startTicks;
    private long _lastTicks;
    private Task? _timer;
    private CancellationTokenSource? _stop;
    private bool _finished;

    private HdrLogWriter(string path, FileStream file)
    {
        Path = path;
        _file = file;
        _text = new StreamWriter(file, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false)) { NewLine = "\n" };
    }

    public string Path { get; }

    /// <summary>Intervals written per series so far.</summary>
    public int Intervals { get; private set; }

    /// <summary>Creates (or replaces) the log file now, so a bad path fails before the run starts.</summary>
    public static HdrLogWriter Create(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        try
        {
            if (System.IO.Path.GetDirectoryName(full) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
            return new HdrLogWriter(full, new FileStream(full, FileMode.Create, FileAccess.Write, FileShare.Read));
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException or NotSupportedException)
        {
            throw new IOException($"--hdr-log {full} cannot be written: {e.Message}", e);
        }
    }

    /// <summary>One series of the log: a tag (null for the first, untagged one) and the live histogram it follows.</summary>
    public readonly record struct Source(string? Tag, LatencyHistogram Histogram);

    /// <summary>Writes the header and starts writing one interval a second.</summary>
    public void Begin(DateTime startUtc, long startTicks, IReadOnlyList<Source> sources)
    {
        lock (_gate)
        {
            if (_series.Length > 0) throw new InvalidOperationException("the HDR log has begun already");
            _series = new Series[sources.Count];
            for (int i = 0; i < sources.Count; i++) _series[i] = new Series(sources[i].Tag, sources[i].Histogram);
            _startTicks = startTicks;
            _lastTicks = startTicks;
            double epochSeconds = (startUtc - DateTime.UnixEpoch).TotalSeconds;
            _text.WriteLine("#[Histogram log format version 1.3]");
            _text.WriteLine(string.Create(CultureInfo.InvariantCulture, $"#[StartTime: {epochSeconds:F3} (seconds since epoch), {startUtc:yyyy-MM-ddTHH:mm:ss.fffZ}]"));
            _text.WriteLine(string.Create(CultureInfo.InvariantCulture, $"#[BaseTime: {epochSeconds:F3} (seconds since epoch)]"));
            _text.WriteLine("#[FastLoad latency, values in ns (us precision). Untagged: ack latency from intended send time; ack-sent: from actual send; inclusion: block seen - intended send; -nodeN: per node]");
            _text.WriteLine("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"");
            _text.Flush();
        }
        _stop = new CancellationTokenSource();
        _timer = Task.Run(() => TickAsync(_stop.Token));
    }

    /// <summary>Stops the timer and writes the last interval (call once the run's histograms are complete).</summary>
    public void Finish()
    {
        StopTimer();
        lock (_gate)
        {
            if (_finished || _series.Length == 0) return;
            WriteInterval(Stopwatch.GetTimestamp());
            _finished = true;
            _text.Flush();
        }
    }

    /// <summary>Finishes and closes the log; a log whose run never started sending is deleted (it would hold no interval).</summary>
    public void Dispose()
    {
        Finish();
        _stop?.Dispose();
        _text.Dispose();
        _file.Dispose();
        if (_series.Length == 0) File.Delete(Path);
    }

    /// <summary>
    /// Puts the samples of a <see cref="LatencyHistogram"/>'s <paramref name="counts"/> (or, with
    /// <paramref name="previous"/>, those recorded since that earlier snapshot of them) into <paramref name="target"/>,
    /// in nanoseconds, each bucket at its upper edge clamped to <paramref name="max"/>, as the remarks describe.
    /// </summary>
    public static void CopyInto(ReadOnlySpan<long> counts, long max, HistogramBase target, ReadOnlySpan<long> previous = default)
    {
        for (int i = 0; i < counts.Length; i++)
        {
            long count = previous.IsEmpty ? counts[i] : counts[i] - previous[i];
            if (count <= 0) continue;
            long value = Math.Max(LatencyHistogram.LowestEquivalentOfIndex(i), Math.Min(LatencyHistogram.HighestEquivalentOfIndex(i), max));
            target.RecordValueWithCount(value * NanosPerMicro, count);
        }
    }

    /// <summary>The whole of <paramref name="source"/> as an HDR histogram in nanoseconds (for tests and tools).</summary>
    public static LongHistogram ToHdr(LatencyHistogram source)
    {
        var target = new LongHistogram(1, HighestTrackableNanos, SignificantDigits);
        CopyInto(source.Counts, source.Max, target);
        return target;
    }

    private async Task TickAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                lock (_gate)
                {
                    if (_finished) return;
                    WriteInterval(Stopwatch.GetTimestamp());
                    _text.Flush();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void StopTimer()
    {
        if (_stop is null || _timer is null) return;
        _stop.Cancel();
        _timer.GetAwaiter().GetResult();
    }

    private void WriteInterval(long nowTicks)
    {
        double start = (_lastTicks - _startTicks) / (double)Stopwatch.Frequency;
        double span = (nowTicks - _lastTicks) / (double)Stopwatch.Frequency;
        _lastTicks = nowTicks;
        foreach (Series series in _series)
        {
            series.Histogram.CopyTo(series.Current);
            _scratch.Reset();
            CopyInto(series.Current.Counts, series.Current.Max, _scratch, series.Previous.Counts);
            (series.Current, series.Previous) = (series.Previous, series.Current);
            int needed = _scratch.GetNeededByteBufferCapacity();
            if (_buffer is null || _buffer.Capacity() < needed)
            {
                _buffer = ByteBuffer.Allocate(needed);
                _encoded = new byte[needed];
            }
            _buffer.Position = 0;
            int length = _scratch.Encode(_buffer, HistogramEncoderV2.Instance);
            // ByteBuffer hands its bytes out one at a time only (BlockGet is internal).
            _buffer.Position = 0;
            for (int b = 0; b < length; b++) _encoded[b] = _buffer.Get();
            int compressed = Compress(_encoded.AsSpan(0, length));
            double maxMillis = _scratch.TotalCount == 0 ? 0 : _scratch.GetMaxValue() / 1_000_000.0;
            string tag = series.Tag is null ? "" : "Tag=" + series.Tag + ",";
            _text.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{tag}{start:F3},{span:F3},{maxMillis:F3},{Convert.ToBase64String(_compressed.GetBuffer(), 0, compressed)}"));
        }
        Intervals++;
    }

    /// <summary>
    /// The V2 compressed form: cookie 0x1c849314, the zlib stream's length (both big-endian), then the V2 encoding
    /// compressed as a complete zlib stream (RFC 1950: header, deflate, Adler-32). HdrHistogram.NET 2.5.0's own
    /// <c>EncodeIntoCompressedByteBuffer</c> leaves its deflate stream unfinished and without the checksum, which
    /// Java's reader tolerates but the Python (<c>zlib.decompress</c>) and JavaScript readers refuse.
    /// </summary>
    private int Compress(ReadOnlySpan<byte> v2Encoding)
    {
        _compressed.SetLength(0);
        Span<byte> header = stackalloc byte[8];
        _compressed.Write(header); // filled in below
        using (var zlib = new ZLibStream(_compressed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(v2Encoding);
        int total = (int)_compressed.Length;
        BinaryPrimitives.WriteInt32BigEndian(header, V2CompressedCookie);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], total - 8);
        header.CopyTo(_compressed.GetBuffer());
        return total;
    }

    private sealed class Series(string? tag, LatencyHistogram histogram)
    {
        public string? Tag { get; } = tag;
        public LatencyHistogram Histogram { get; } = histogram;
        public LatencyHistogram Current { get; set; } = new(histogram.HighestTrackableMicros);
        public LatencyHistogram Previous { get; set; } = new(histogram.HighestTrackableMicros);
    }
}
