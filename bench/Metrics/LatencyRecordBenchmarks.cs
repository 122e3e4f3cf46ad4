using BenchmarkDotNet.Attributes;
using FastLoad.Engine.Metrics;
using HdrHistogram;

namespace FastLoad.Benchmarks.Metrics;

/// <summary>
/// Cost of recording one latency on one thread: FastLoad's <see cref="LatencyHistogram"/> (Record: single writer;
/// RecordConcurrent: what the run's response threads call) against HdrHistogram 2.5.0 (LongHistogram; the
/// thread-safe LongConcurrentHistogram; Recorder, its interval-snapshot wrapper). Same values (µs), same range
/// (up to one hour); HDR at 3 significant digits, its usual setting (ours is ~2.1 digits: 1/128).
/// Each invocation records <see cref="Batch"/> values, so the figures are per record.
/// </summary>
[MemoryDiagnoser]
public class LatencyRecordBenchmarks
{
    public const int Batch = 4096;
    private const long Highest = LatencyHistogram.DefaultHighestTrackableMicros;

    private long[] _values = [];
    private LatencyHistogram _ours = null!;
    private LongHistogram _hdr = null!;
    private LongConcurrentHistogram _hdrConcurrent = null!;
    private Recorder _recorder = null!;

    [GlobalSetup]
    public void Setup()
    {
        _values = LatencySamples.Generate(Batch);
        _ours = new LatencyHistogram();
        _hdr = new LongHistogram(Highest, 3);
        _hdrConcurrent = new LongConcurrentHistogram(1, Highest, 3);
        _recorder = HistogramFactory.With64BitBucketSize().WithValuesUpTo(Highest).WithPrecisionOf(3).WithThreadSafeWrites().WithThreadSafeReads().Create();
        // Same input, same answer: both sides see every value (p99 agrees within the coarser precision, 1/128).
        foreach (long v in _values)
        {
            _ours.Record(v);
            _hdr.RecordValue(v);
        }
        double ours = _ours.ValueAtPercentile(99), hdr = _hdr.GetValueAtPercentile(99);
        if (_ours.Count != _hdr.TotalCount || Math.Abs(ours - hdr) > hdr / 128 + 1)
            throw new InvalidOperationException($"histograms disagree: count {_ours.Count} vs {_hdr.TotalCount}, p99 {ours} vs {hdr}");
    }

    [BenchmarkCategory(Macro.HotPath.Category)]
    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public long LatencyHistogram_Record()
    {
        LatencyHistogram h = _ours;
        foreach (long v in _values) h.Record(v);
        return h.Count;
    }

    [BenchmarkCategory(Macro.HotPath.Category)]
    [Benchmark(OperationsPerInvoke = Batch)]
    public long LatencyHistogram_RecordConcurrent()
    {
        LatencyHistogram h = _ours;
        foreach (long v in _values) h.RecordConcurrent(v);
        return h.Count;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public long Hdr_LongHistogram_RecordValue()
    {
        LongHistogram h = _hdr;
        foreach (long v in _values) h.RecordValue(v);
        return h.TotalCount;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public long Hdr_LongConcurrentHistogram_RecordValue()
    {
        LongConcurrentHistogram h = _hdrConcurrent;
        foreach (long v in _values) h.RecordValue(v);
        return h.TotalCount;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public long Hdr_Recorder_RecordValue()
    {
        Recorder r = _recorder;
        foreach (long v in _values) r.RecordValue(v);
        return _values.Length;
    }
}

/// <summary>
/// Two threads recording into one shared histogram at once (the run's response threads do this: one per node
/// connection group). Each invocation: both threads record <see cref="PerThread"/> values each; the figure is per
/// record (wall time / all records). "PerThread" is the alternative LatencyHistogram's docs suggest: a single-writer
/// histogram per thread, merged when read.
/// </summary>
[MemoryDiagnoser]
public class ConcurrentLatencyRecordBenchmarks
{
    public const int PerThread = 1 << 16;
    private const int Threads = 2;
    private const long Highest = LatencyHistogram.DefaultHighestTrackableMicros;

    private enum Mode { Ours, OursPerThread, HdrConcurrent, HdrRecorder }

    private long[][] _values = [];
    private LatencyHistogram _ours = null!;
    private LatencyHistogram[] _oursPerThread = [];
    private LongConcurrentHistogram _hdrConcurrent = null!;
    private Recorder _recorder = null!;
    private Mode _mode;
    private Barrier _start = null!;
    private Barrier _done = null!;
    private Thread[] _workers = [];
    private volatile bool _stop;

    [GlobalSetup]
    public void Setup()
    {
        long[] all = LatencySamples.Generate(PerThread * Threads);
        _values = new long[Threads][];
        for (int t = 0; t < Threads; t++) _values[t] = all.AsSpan(t * PerThread, PerThread).ToArray();
        _ours = new LatencyHistogram();
        _oursPerThread = [new LatencyHistogram(), new LatencyHistogram()];
        _hdrConcurrent = new LongConcurrentHistogram(1, Highest, 3);
        _recorder = HistogramFactory.With64BitBucketSize().WithValuesUpTo(Highest).WithPrecisionOf(3).WithThreadSafeWrites().WithThreadSafeReads().Create();
        _start = new Barrier(Threads + 1);
        _done = new Barrier(Threads + 1);
        _workers = new Thread[Threads];
        for (int t = 0; t < Threads; t++)
        {
            int index = t;
            _workers[t] = new Thread(() => Work(index)) { IsBackground = true, Name = $"recorder-{t}" };
            _workers[t].Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        _start.SignalAndWait();
        foreach (Thread w in _workers) w.Join();
    }

    private void Work(int index)
    {
        long[] values = _values[index];
        while (true)
        {
            _start.SignalAndWait();
            if (_stop) return;
            switch (_mode)
            {
                case Mode.Ours:
                    foreach (long v in values) _ours.RecordConcurrent(v);
                    break;
                case Mode.OursPerThread:
                    LatencyHistogram own = _oursPerThread[index];
                    foreach (long v in values) own.Record(v);
                    break;
                case Mode.HdrConcurrent:
                    foreach (long v in values) _hdrConcurrent.RecordValue(v);
                    break;
                case Mode.HdrRecorder:
                    foreach (long v in values) _recorder.RecordValue(v);
                    break;
            }
            _done.SignalAndWait();
        }
    }

    private long RunBoth(Mode mode)
    {
        _mode = mode;
        _start.SignalAndWait();
        _done.SignalAndWait();
        return PerThread * Threads;
    }

    [BenchmarkCategory(Macro.HotPath.Category)]
    [Benchmark(Baseline = true, OperationsPerInvoke = PerThread * Threads)]
    public long LatencyHistogram_RecordConcurrent() => RunBoth(Mode.Ours);

    [BenchmarkCategory(Macro.HotPath.Category)]
    [Benchmark(OperationsPerInvoke = PerThread * Threads)]
    public long LatencyHistogram_PerThread_Record() => RunBoth(Mode.OursPerThread);

    [Benchmark(OperationsPerInvoke = PerThread * Threads)]
    public long Hdr_LongConcurrentHistogram_RecordValue() => RunBoth(Mode.HdrConcurrent);

    [Benchmark(OperationsPerInvoke = PerThread * Threads)]
    public long Hdr_Recorder_RecordValue() => RunBoth(Mode.HdrRecorder);
}
